// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "nalabo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nalabo", targets: ["nalabo"]),
        .executable(name: "nalabo-init", targets: ["nalabo-init"]),
        .library(name: "WorkshopSpec", targets: ["WorkshopSpec"]),
        .library(name: "Catalogue", targets: ["Catalogue"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "NalaboCLI", targets: ["NalaboCLI"]),
        .library(name: "Portal", targets: ["Portal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.2.0"),
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
        // libpq, opened with dlopen on the first catalogue connection instead of linked (see its README).
        .target(
            name: "CLibPQ",
            exclude: ["README.md"],
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"]), .brew(["cmark-gfm"])]
        ),
        .systemLibrary(
            name: "CArgon2",
            pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"]), .brew(["argon2"])]
        ),
        // PID 1 of learner containers: C, static, no Swift runtime (it runs in any image). The swiftc driver
        // links it, so -static-executable; its Swift image hooks are stubbed in main.c.
        .executableTarget(
            name: "nalabo-init",
            exclude: ["README.md"],
            linkerSettings: [.unsafeFlags(["-static-executable", "-Xlinker", "--gc-sections", "-Xlinker", "-s"])]
        ),
        .target(
            name: "CTerminal",
            exclude: ["README.md"]
        ),
        .target(
            name: "WorkshopSpec",
            dependencies: ["CYAML", "CLibCrypto"],
            exclude: ["README.md"]
        ),
        // GitHub-flavoured Markdown (cmark-gfm) rendered safely, to HTML for the portal.
        .target(
            name: "Markdown",
            dependencies: ["CCmarkGFM"],
            exclude: ["README.md"]
        ),
        .target(
            name: "Catalogue",
            dependencies: ["WorkshopSpec", "CLibPQ", "CArgon2", .product(name: "Subprocess", package: "swift-subprocess")],
            exclude: ["README.md"]
        ),
        // Shell that runs inside containers lives in Sources/Runtime/Scripts/*.sh (linted with shellcheck) and is
        // embedded into the Runtime target at build time.
        .executableTarget(name: "embed-scripts"),
        .plugin(name: "EmbedScripts", capability: .buildTool(), dependencies: ["embed-scripts"]),
        .target(
            name: "Runtime",
            dependencies: [
                "WorkshopSpec",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            exclude: ["README.md", "Scripts"],
            plugins: ["EmbedScripts"]
        ),
        // `nalabo import`: workshops of other platforms (Killercoda) as nalabo workshop directories.
        .target(
            name: "Importers",
            dependencies: ["WorkshopSpec"],
            exclude: ["README.md"]
        ),
        .target(
            name: "LabService",
            dependencies: ["WorkshopSpec", "Catalogue", "Runtime"],
            exclude: ["README.md"]
        ),
        // `nalabo serve`: the training portal (HTTP, WebSocket terminals, pages) over the same LabService.
        .target(
            name: "Portal",
            dependencies: [
                "LabService",
                "WorkshopSpec",
                "Catalogue",
                "Runtime",
                "Markdown",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            resources: [.copy("Assets")]
        ),
        // The commands, as a library (argument parsing and printing), behind a few-line executable.
        .target(
            name: "NalaboCLI",
            dependencies: [
                "Importers",
                "LabService",
                "Markdown",
                "Portal",
                "WorkshopSpec",
                "Catalogue",
                "Runtime",
                "CTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "nalabo",
            dependencies: ["NalaboCLI"]
        ),
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        // A fresh catalogue database per test on the throwaway cluster, for the catalogue's and the portal's tests.
        .target(
            name: "CatalogueTestSupport",
            dependencies: ["Catalogue", "WorkshopSpec", "TestSupport"],
            path: "Tests/CatalogueTestSupport"
        ),
        .testTarget(
            name: "WorkshopSpecTests",
            dependencies: ["WorkshopSpec", "TestSupport"]
        ),
        .testTarget(
            name: "CatalogueTests",
            dependencies: ["Catalogue", "WorkshopSpec", "TestSupport", "CatalogueTestSupport", "nalabo"]
        ),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", "WorkshopSpec", "TestSupport", "nalabo"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PortalTests",
            dependencies: ["Portal", "Markdown", "Catalogue", "LabService", "Runtime", "WorkshopSpec", "TestSupport", "CatalogueTestSupport", "nalabo",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "WSClient", package: "swift-websocket")],
            exclude: ["Browser"]
        ),
        .testTarget(
            name: "ImportersTests",
            dependencies: ["Importers", "WorkshopSpec", "TestSupport"]
        ),
        .testTarget(
            name: "nalaboTests",
            dependencies: ["nalabo", "NalaboCLI", "WorkshopSpec", "TestSupport"],
            exclude: ["Golden"]
        ),
    ]
)
