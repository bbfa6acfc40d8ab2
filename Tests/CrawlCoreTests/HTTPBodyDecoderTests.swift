import Testing

@testable import CrawlCore

@Suite("HTTP body decoding (capture mode)")
struct HTTPBodyDecoderTests {
    /// Feeds `raw` in pieces of `size` bytes.
    private func decode(_ raw: [UInt8], contentEncoding: String?, transferEncoding: String?, limit: Int = 1 << 20,
                        pieces size: Int) throws(HTTPBodyDecoder.Failure) -> [UInt8] {
        guard let decoder = try HTTPBodyDecoder.make(contentEncoding: contentEncoding, transferEncoding: transferEncoding, limit: limit)
        else { return raw }
        var body: [UInt8] = []
        var start = 0
        while start < raw.count {
            let piece = Array(raw[start..<min(raw.count, start + size)])
            let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece.count, alignment: 1)
            defer { pointer.deallocate() }
            pointer.copyBytes(from: piece)
            try decoder.decode(UnsafeRawBufferPointer(pointer), into: &body)
            start += piece.count
        }
        return body
    }

    @Test func identityNeedsNoDecoder() throws {
        #expect(try HTTPBodyDecoder.make(contentEncoding: nil, transferEncoding: nil, limit: 10) == nil)
        #expect(try HTTPBodyDecoder.make(contentEncoding: "identity", transferEncoding: " ", limit: 10) == nil)
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func chunkedGzipDecodesWhateverThePieceSize(size: Int) throws {
        let body = try decode(LoopbackHTTPServer.chunkedGzipHello, contentEncoding: "gzip", transferEncoding: "chunked", pieces: size)
        #expect(String(decoding: body, as: UTF8.self) == LoopbackHTTPServer.gzipPlainText)
    }

    @Test func chunkedOnlyWithBareLineFeedsAndTrailingBytes() throws {
        let raw = Array("5\nhello\n6;x=y\r\n world\r\n0\r\n\r\nGARBAGE".utf8)
        #expect(try decode(raw, contentEncoding: nil, transferEncoding: "Chunked", pieces: 4) == Array("hello world".utf8))
    }

    @Test func concatenatedGzipMembersDecodeToBoth() throws {
        let twice = LoopbackHTTPServer.gzipHello + LoopbackHTTPServer.gzipHello
        let body = try decode(twice, contentEncoding: "x-gzip", transferEncoding: nil, pieces: 9)
        #expect(String(decoding: body, as: UTF8.self) == LoopbackHTTPServer.gzipPlainText + LoopbackHTTPServer.gzipPlainText)
    }

    @Test func rawDeflateFallsBackFromTheZlibWrapper() throws {
        for raw in [LoopbackHTTPServer.deflateZlib, LoopbackHTTPServer.deflateRaw] {
            #expect(try decode(raw, contentEncoding: "deflate", transferEncoding: nil, pieces: 5)
                    == Array(LoopbackHTTPServer.deflatePlainText.utf8))
        }
    }

    @Test func limitAppliesToTheDecodedBytes() {
        let size = LoopbackHTTPServer.gzipPlainText.utf8.count
        #expect(throws: Never.self) { try decode(LoopbackHTTPServer.gzipHello, contentEncoding: "gzip", transferEncoding: nil, limit: size, pieces: 8) }
        #expect(throws: HTTPBodyDecoder.Failure.tooLarge) {
            try decode(LoopbackHTTPServer.gzipHello, contentEncoding: "gzip", transferEncoding: nil, limit: size - 1, pieces: 8)
        }
    }

    @Test func badInputIsReported() {
        #expect(throws: HTTPBodyDecoder.Failure.unsupported("br")) { try decode([1], contentEncoding: "br", transferEncoding: nil, pieces: 1) }
        #expect(throws: HTTPBodyDecoder.Failure.corrupt("invalid gzip data")) {
            try decode(Array("not gzip at all".utf8), contentEncoding: "gzip", transferEncoding: nil, pieces: 4)
        }
        #expect(throws: HTTPBodyDecoder.Failure.framing("invalid chunk size")) {
            try decode(Array("zz\r\n".utf8), contentEncoding: nil, transferEncoding: "chunked", pieces: 1)
        }
    }
}
