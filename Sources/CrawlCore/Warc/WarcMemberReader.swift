import Foundation

/// Reads a `.warc.gz` file member by member (each record is one gzip member): where each starts
/// and how long it is compressed, with the first bytes of its record (the WARC header and the
/// start of the block) inflated. Memory stays bounded whatever the file or record size.
///
/// Not thread-safe: one reader per thread (the WARC writer's thread during recovery, the
/// `crawl export` command).
final class WarcMemberReader {
    /// One complete gzip member.
    struct Member {
        /// Offset of the member in the file.
        var offset: Int64
        /// Compressed length: the next member starts at `offset + length`.
        var length: Int64
        /// The first inflated bytes of the record (at most the reader's `headLimit`).
        var head: [UInt8]
        /// Inflated length of the whole record.
        var inflatedLength: Int64

        var end: Int64 { offset + length }
    }

    /// What the next step found.
    enum Next {
        case member(Member)
        /// The file ends exactly after the previous member.
        case end
        /// A member starts at this offset but the file ends before it does.
        case truncated(at: Int64)
        /// The bytes at this offset are not a gzip member.
        case corrupt(at: Int64)
    }

    let path: String
    private let descriptor: Int32
    private let headLimit: Int
    private let stream = ZlibInflateStream(format: .gzip)
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 1)
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    /// File offset of `input[0]`, and how many bytes of `input` hold data / are consumed.
    private var inputOffset: Int64
    private var inputCount = 0
    private var inputUsed = 0
    private var atEndOfFile = false

    /// Opens `path` for reading members from `offset` (which must be a member boundary).
    init(path: String, from offset: Int64 = 0, headLimit: Int = 32 * 1024) throws(WarcError) {
        self.path = path
        self.headLimit = headLimit
        inputOffset = offset
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            input.deallocate()
            output.deallocate()
            throw .io(path: path, operation: "open", errno: code)
        }
    }

    deinit {
        close(descriptor)
        input.deallocate()
        output.deallocate()
    }

    /// The member at the current position, or why there is none. After `.truncated` or
    /// `.corrupt` the reader stays there.
    func next() throws(WarcError) -> Next {
        let start = inputOffset + Int64(inputUsed)
        guard try fill(), inputCount > inputUsed else { return .end }
        stream.reset()
        var head: [UInt8] = []
        var consumed: Int64 = 0
        var inflated: Int64 = 0
        while true {
            if inputUsed == inputCount {
                guard try fill(), inputCount > inputUsed else {
                    rewind(to: start)
                    return .truncated(at: start)
                }
            }
            let available = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[inputUsed..<inputCount])
            let step = stream.inflate(available, into: output)
            inputUsed += step.consumed
            consumed += Int64(step.consumed)
            inflated += Int64(step.produced)
            if head.count < headLimit && step.produced > 0 {
                head.append(contentsOf: UnsafeRawBufferPointer(rebasing: output[..<min(step.produced, headLimit - head.count)]))
            }
            switch step.status {
            case .streamEnd:
                return .member(Member(offset: start, length: consumed, head: head, inflatedLength: inflated))
            case .progress, .needsInput:
                continue
            case .corrupt:
                rewind(to: start)
                return .corrupt(at: start)
            }
        }
    }

    /// Makes sure unconsumed input is buffered, reading more if all of it is used. False at end of file.
    private func fill() throws(WarcError) -> Bool {
        if inputUsed < inputCount { return true }
        if atEndOfFile { return false }
        inputOffset += Int64(inputUsed)
        inputUsed = 0
        inputCount = 0
        while true {
            let count = pread(descriptor, input.baseAddress, input.count, off_t(inputOffset))
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            inputCount = count
            if count == 0 { atEndOfFile = true }
            return count > 0
        }
    }

    /// Positions the reader at `offset` again (after a member that could not be completed).
    private func rewind(to offset: Int64) {
        inputOffset = offset
        inputCount = 0
        inputUsed = 0
        atEndOfFile = false
    }
}
