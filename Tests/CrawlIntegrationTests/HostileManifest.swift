import Foundation

/// hostile_server.py's manifest (see its docstring).
struct HostileManifest: Decodable, Sendable {
    struct Trap: Decodable, Sendable {
        let url: String
        /// [state, [error kinds]] as JSON; "" stands for no error kind.
        let outcome: [Outcome]
        let what: String

        enum Outcome: Decodable, Sendable {
            case state(String)
            case kinds([String])

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let state = try? container.decode(String.self) {
                    self = .state(state)
                } else {
                    self = .kinds(try container.decode([String].self))
                }
            }
        }

        var state: String {
            for case let .state(state) in outcome { return state }
            return "?"
        }

        var kinds: [String] {
            for case let .kinds(kinds) in outcome { return kinds }
            return []
        }
    }

    struct Spelled: Decodable, Sendable {
        let target: String
        let spellings: [String]
    }

    let seed: String
    let port: Int
    let hosts: [String: String]
    let good: [String]
    let traps: [String: Trap]
    let never: [String]
    /// href on /hub/urls.html → the raw request-target the server must see.
    let targets: [String: String]
    let spelled: Spelled
    let trapHosts: [String: String]

    enum CodingKeys: String, CodingKey {
        case seed, port, hosts, good, traps, never, targets, spelled, trapHosts = "trap_hosts"
    }
}
