import CZlib

extension WarcRecordGroup {
    /// Parts at least this large are shared into a stored member, smaller ones copied (a
    /// reference costs more than copying a few hundred bytes of header).
    static let shareThreshold = 4096

    /// Appends one gzip member (RFC 1952) holding the concatenation of `parts` uncompressed
    /// (level 0), without zlib's deflate, which would copy the data twice more: the gzip header,
    /// the data in stored blocks of at most 65,535 bytes (RFC 1951 §3.2.4), the trailer with
    /// zlib's CRC-32. Small parts in a row share a block, copied; a large part gets blocks of its
    /// own, with its bytes shared (``share(_:)``), so a body is never copied here.
    mutating func appendStoredMember(_ parts: [ArraySlice<UInt8>]) {
        let total = parts.reduce(0) { $0 + $1.count }
        tail.append(contentsOf: [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])  // deflate, no flags, no mtime, Unix
        var crc: UInt = 0
        var done = 0
        var index = 0
        while index < parts.count {
            if parts[index].count >= Self.shareThreshold {
                let part = parts[index]
                var start = part.startIndex
                while start < part.endIndex {
                    let chunk = part[start..<min(start + 65_535, part.endIndex)]
                    crc = Self.crc(crc, chunk)
                    done += chunk.count
                    appendStoredBlockHeader(length: chunk.count, final: done == total)
                    share(chunk)
                    start = chunk.endIndex
                }
                index += 1
            } else {
                // The small parts from here on, up to the next large one (or a full block), copied as one block.
                var end = index
                var length = 0
                while end < parts.count, parts[end].count < Self.shareThreshold, length + parts[end].count <= 65_535 {
                    length += parts[end].count
                    end += 1
                }
                if length > 0 {
                    done += length
                    appendStoredBlockHeader(length: length, final: done == total)
                    for part in parts[index..<end] {
                        crc = Self.crc(crc, part)
                        tail.append(contentsOf: part)
                    }
                }
                index = end
            }
        }
        if total == 0 { appendStoredBlockHeader(length: 0, final: true) }
        for value in [UInt32(truncatingIfNeeded: crc), UInt32(truncatingIfNeeded: total)] {
            tail.append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)])
        }
    }

    /// BFINAL on the last block, BTYPE 00 (stored), then LEN and NLEN.
    private mutating func appendStoredBlockHeader(length: Int, final: Bool) {
        tail.append(final ? 1 : 0)
        tail.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)])
    }

    private static func crc(_ crc: UInt, _ bytes: ArraySlice<UInt8>) -> UInt {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return crc }
            return crc32(crc, base, UInt32(buffer.count))
        }
    }
}
