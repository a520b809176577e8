// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "nalabo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nalabo", targets: ["nalabo"]),
        .library(name: "WorkshopSpec", targets: ["WorkshopSpec"]),
        .library(name: "Catalogue", targets: ["Catalogue"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "WorkshopSpec",
            dependencies: ["CYAML", "CLibCrypto"],
            exclude: ["README.md"]
        ),
        .target(
            name: "Catalogue",
            dependencies: ["WorkshopSpec", "CLibPQ"],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "nalabo",
            dependencies: [
                "WorkshopSpec",
                "Catalogue",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "WorkshopSpecTests",
            dependencies: ["WorkshopSpec", "TestSupport"]
        ),
        .testTarget(
            name: "CatalogueTests",
            dependencies: ["Catalogue", "WorkshopSpec", "TestSupport", "nalabo"]
        ),
        .testTarget(
            name: "nalaboTests",
            dependencies: ["nalabo", "WorkshopSpec", "TestSupport"],
            exclude: ["Golden"]
        ),
    ]
)
