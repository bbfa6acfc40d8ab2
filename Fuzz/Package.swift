// swift-tools-version:6.0
// libFuzzer targets for crawl's parsers. Not part of the main package: `make fuzz` builds this one
// with `-sanitize=fuzzer,address` and runs each target on its seed corpus (Fuzz/Corpus/<target>).
import PackageDescription

let package = Package(
    name: "crawl-fuzz",
    dependencies: [.package(name: "crawl", path: "..")],
    targets: [
        .systemLibrary(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver", .product(name: "CrawlCore", package: "crawl")]),
        .executableTarget(
            name: "FuzzLinkExtractor",
            dependencies: ["FuzzSupport", .product(name: "CrawlCore", package: "crawl")]),
        .executableTarget(
            name: "FuzzURL",
            dependencies: ["FuzzSupport", .product(name: "CrawlCore", package: "crawl")]),
        .executableTarget(
            name: "FuzzRobots",
            dependencies: ["FuzzSupport", .product(name: "CrawlCore", package: "crawl")]),
    ],
    swiftLanguageModes: [.v6]
)
