// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for the readers of untrusted input. Build and run them
// with fuzz/run.sh (swift build -Xswiftc -sanitize=fuzzer). Each target's
// main.swift hands its test function to libFuzzer's LLVMFuzzerRunDriver,
// because SwiftPM names every executable's entry point itself.
let package = Package(
    name: "ShorelineFuzz",
    dependencies: [.package(name: "Shoreline", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "FuzzSafetensors",
            dependencies: ["CFuzzDriver", .product(name: "TensorEngine", package: "Shoreline")]
        ),
        .executableTarget(
            name: "FuzzManifest",
            dependencies: ["CFuzzDriver", .product(name: "Tiling", package: "Shoreline")]
        ),
        .executableTarget(
            name: "FuzzArguments",
            dependencies: [
                "CFuzzDriver",
                .product(name: "ShorelineCLI", package: "Shoreline"),
                .product(name: "Tiling", package: "Shoreline"),
            ]
        ),
        .executableTarget(
            name: "FuzzRunConfiguration",
            dependencies: ["CFuzzDriver", .product(name: "Clustering", package: "Shoreline")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
