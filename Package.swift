// swift-tools-version:6.1
import PackageDescription

// Module map: see README.md ("Architecture"). Each foreign thing is touched by few modules, named
// here: SQLite only in Storage; sockets only in API (client) and Daemon (server); OpenBLAS (CBLAS)
// in Inference (the encoder's sgemm) and Quant (sgemm over dequantized tiles); SHA-256 (swift-crypto)
// in Inference (the model fingerprint) and Ingest (content hashes); POSIX ACLs (CACL) only in Access.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Numeric code (kernels, tokenizer, vector scans) is optimised in debug builds too: unoptimised,
/// the test suite's real-model parity checks take minutes instead of seconds. Release builds drop
/// the bounds checks as well (every kernel has a checked reference twin and a test).
let numeric: [SwiftSetting] = strict + [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Sotto",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sottod", targets: ["sottod"]),
        .executable(name: "sotto", targets: ["sotto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CACL",
            pkgConfig: "libacl",
            providers: [.apt(["libacl1-dev"])]
        ),
        // The C kernels, each level chosen at run time by one CPU-feature detector: the encoder's AVX2
        // element-wise ops (Inference keeps portable ones), dense search's Int8 scan, and the decoder's
        // quantized dot products, GEMM, dequantization and attention (portable, AVX2, AVX-512 VNNI).
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]
        ),
        .target(
            name: "Tokenizer",
            swiftSettings: numeric
        ),
        .target(
            name: "Inference",
            dependencies: ["CBLAS", "CKernels", "Tokenizer", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: numeric
        ),
        // GGUF files (the decoders' weights): a bounds-checked reader over an mmap.
        .target(
            name: "GGUF",
            swiftSettings: strict
        ),
        // Quantized weight formats: reference dequantizers and the matrix products over CKernels
        // (matrix-vector, sgemm over dequantized tiles, the integer GEMM), on its own thread pool.
        .target(
            name: "Quant",
            dependencies: ["GGUF", "CKernels", "CBLAS"],
            swiftSettings: numeric
        ),
        // The decoder: qwen2/llama forward pass, KV cache, sampling, chat prompts, the Generator.
        .target(
            name: "Generation",
            dependencies: ["GGUF", "Quant", "Tokenizer"],
            swiftSettings: numeric
        ),
        // Grounded answers: source selection, prompts, citations, abstention, and the one service that
        // runs the decoder (its queue and its stream of events). It speaks the decoder's own types
        // (chat messages, options, events) so that an answer crosses no conversion on its way out.
        .target(
            name: "Answering",
            dependencies: ["Storage", "Retrieval", "Generation"],
            swiftSettings: strict
        ),
        // Document formats (PDF, Office, HTML, EPUB, e-mail, notebooks) to text with page/part locators;
        // run only inside the extraction sandbox (`sottod extract`), never in the daemon.
        // poppler's GLib API (plain C): the PDF text layer, page by page, loaded from memory.
        .systemLibrary(
            name: "CPoppler",
            pkgConfig: "poppler-glib",
            providers: [.apt(["libpoppler-glib-dev"])]
        ),
        // zlib's raw inflate for the extractors' own ZIP reader (DOCX, XLSX, PPTX, OpenDocument, EPUB).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Tesseract's C API and Leptonica: OCR of images and of PDF pages without a text layer.
        .systemLibrary(
            name: "CTesseract",
            pkgConfig: "tesseract",
            providers: [.apt(["libtesseract-dev", "libleptonica-dev", "tesseract-ocr-eng"])]
        ),
        .target(
            name: "Extract",
            dependencies: ["CPoppler", "CZlib", "CTesseract"],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CSeccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        // The extraction sandbox, both ends: the child's lock-down (rlimits, no_new_privs, seccomp),
        // the daemon's spawning and watching of the child, and the reply that crosses the pipe.
        .systemLibrary(name: "CSpawn"),
        .target(
            name: "Sandbox",
            dependencies: ["Extract", "CSeccomp", "CSpawn"],
            swiftSettings: strict
        ),
        .target(
            name: "Storage",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "Ingest",
            dependencies: [
                "Storage", "Extract", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Retrieval",
            dependencies: ["Storage", "CKernels"],
            swiftSettings: numeric
        ),
        .target(
            name: "API",
            swiftSettings: strict
        ),
        // Who is asking (peer credentials → a caller) and what they may read (mode bits, POSIX ACLs,
        // every directory above), computed for another uid without switching to it; admin rights.
        .target(
            name: "Access",
            dependencies: ["CACL"],
            swiftSettings: strict
        ),
        .target(
            name: "Daemon",
            dependencies: [
                "Storage", "Ingest", "Retrieval", "Inference", "API", "Answering", "Generation", "Access", "Sandbox", "Extract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sottod",
            dependencies: [
                "Daemon", "Inference", "Generation", "GGUF", "Tokenizer", "Extract", "Sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sotto",
            dependencies: [
                "API", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `sotto mcp`: the Model Context Protocol server (only the CLI speaks it).
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: strict
        ),
        // Re-runs the citation check over a Scripts/eval --citations-log, for Scripts/eval --recheck.
        .executableTarget(name: "recheck-citations", dependencies: ["Answering"], swiftSettings: strict),
        // Embeds the SQuAD passages for Scripts/bench-encoder.
        .executableTarget(name: "bench-encoder", dependencies: ["Inference"], swiftSettings: strict),
        // Times the extractors for Scripts/bench-extract.
        .executableTarget(name: "bench-extract", dependencies: ["Extract"], swiftSettings: strict),
        // Builds the synthetic index of Scripts/bench-scale.
        .executableTarget(name: "bench-scale", dependencies: ["Storage"], swiftSettings: strict),
        // The batch-method crossovers of QuantizedMatrix+Batch (BatchMethod.preferred), measured.
        .executableTarget(name: "quant-bench", dependencies: ["Quant", "GGUF", "CKernels"], swiftSettings: strict),
        // Where the tests find the real models ($SOTTO_MODELS_DIR), for every test target that uses one.
        .target(name: "TestSupport", dependencies: ["Storage"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "GGUF", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"]),
        .testTarget(name: "QuantTests", dependencies: ["Quant", "GGUF"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "GenerationTests", dependencies: ["Generation", "GGUF", "Quant", "Tokenizer", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "AnsweringTests", dependencies: ["Answering", "Generation", "Storage", "Retrieval", "Daemon", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "ExtractTests", dependencies: ["Extract"], resources: [.copy("Fixtures")]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Storage", "Extract"]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "Extract"]),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "Storage"]),
        .testTarget(name: "APITests", dependencies: ["API"]),
        .testTarget(name: "AccessTests", dependencies: ["Access"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "API", "Answering", "Ingest", "Extract", "Storage"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["API", "Ingest", "Storage", "TestSupport", .product(name: "Yams", package: "Yams")]
        ),
    ]
)
