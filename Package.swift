// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "crawl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "crawl", targets: ["crawl"]),
        .library(name: "CrawlCore", targets: ["CrawlCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(
            name: "CrawlCore",
            dependencies: [
                "CCurl", "CLibXML2", "CSQLite", "CCrypto", "CZlib",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Migrations")]),
        .executableTarget(
            name: "crawl",
            dependencies: [
                "CrawlCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "CrawlCoreTests", dependencies: ["CrawlCore"]),
        .testTarget(name: "CrawlIntegrationTests", dependencies: ["CrawlCore"]),
    ],
    swiftLanguageModes: [.v6]
)
