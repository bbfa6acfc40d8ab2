import Foundation
import Testing

extension HostileChecks {
    /// Where the hostile crawl runs and writes: an empty working directory, the database in a
    /// directory of its own, and --out. After the run, only --out (and the database files) may
    /// hold anything, and --out only content-addressed bodies.
    struct Layout {
        let root: String
        var workingDirectory: String { root + "/cwd" }
        var databaseDirectory: String { root + "/db" }
        var db: String { databaseDirectory + "/crawl.db" }
        var out: String { root + "/out" }

        func create() throws {
            for directory in [workingDirectory, databaseDirectory] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        }

        /// The working directory is still empty, the database directory holds only the database
        /// and its companions, and --out holds only `ab/<sha256>` files (plus an empty `tmp/`),
        /// exactly the body paths the rows name.
        func expectNothingWrittenOutsideOut(rows: [String: URLRow], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let manager = FileManager.default
            let inWorkingDirectory = try manager.contentsOfDirectory(atPath: workingDirectory)
            #expect(inWorkingDirectory.isEmpty, "written in the working directory: \(inWorkingDirectory)",
                    sourceLocation: sourceLocation)
            let databaseFiles = Set(try manager.contentsOfDirectory(atPath: databaseDirectory))
            let allowed: Set<String> = ["crawl.db", "crawl.db-wal", "crawl.db-shm", "crawl.db.lock"]
            #expect(databaseFiles.isSubset(of: allowed), "beside the database: \(databaseFiles.subtracting(allowed).sorted())",
                    sourceLocation: sourceLocation)

            var bodies: Set<String> = []
            var strays: [String] = []
            let walker = manager.enumerator(atPath: out)
            while let relative = walker?.nextObject() as? String {
                var isDirectory: ObjCBool = false
                _ = manager.fileExists(atPath: out + "/" + relative, isDirectory: &isDirectory)
                if isDirectory.boolValue {
                    if relative != "tmp" && relative.wholeMatch(of: #/[0-9a-f]{2}/#) == nil { strays.append(relative + "/") }
                } else if relative.wholeMatch(of: #/[0-9a-f]{2}/[0-9a-f]{64}/#) != nil,
                          relative.hasPrefix(String(relative.suffix(64).prefix(2)) + "/") {
                    bodies.insert(relative)
                } else {
                    strays.append(relative)
                }
            }
            #expect(strays.isEmpty, "files in --out that are not content-addressed bodies: \(strays.sorted())",
                    sourceLocation: sourceLocation)
            let named = Set(rows.values.compactMap(\.bodyPath))
            #expect(named == bodies, """
                body files and body_path columns differ: on disk only \(bodies.subtracting(named).sorted()), \
                in rows only \(named.subtracting(bodies).sorted())
                """, sourceLocation: sourceLocation)
        }
    }
}
