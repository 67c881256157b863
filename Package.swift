// swift-tools-version:6.0
import PackageDescription

// Layers, bottom up. A target imports only targets listed above it:
// CGDAL, CDNNL → GeoRaster, TensorEngine → Tiling → Clustering, Evaluation
// → ShorelineCLI → shoreline. Only CGDAL and CDNNL include C headers.
let package = Package(
    name: "Shoreline",
    products: [
        .executable(name: "shoreline", targets: ["shoreline"]),
        .library(name: "GeoRaster", targets: ["GeoRaster"]),
        .library(name: "Tiling", targets: ["Tiling"]),
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
        .library(name: "Clustering", targets: ["Clustering"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        // For the fuzz targets in fuzz/, which reach the parser through it.
        .library(name: "ShorelineCLI", targets: ["ShorelineCLI"]),
    ],
    targets: [
        // System libraries: a module map and one shim header each.
        .systemLibrary(
            name: "CGDAL",
            pkgConfig: "gdal",
            providers: [.apt(["libgdal-dev"])]
        ),
        .systemLibrary(
            name: "CDNNL",
            providers: [.apt(["libdnnl-dev"])]
        ),

        .target(name: "GeoRaster", dependencies: ["CGDAL"]),
        .target(name: "TensorEngine", dependencies: ["CDNNL"]),
        .target(name: "Tiling", dependencies: ["GeoRaster"]),
        .target(name: "Clustering", dependencies: ["TensorEngine", "GeoRaster", "Tiling"]),
        .target(name: "Evaluation", dependencies: ["GeoRaster", "Tiling"]),
        .target(
            name: "ShorelineCLI",
            dependencies: ["GeoRaster", "Tiling", "TensorEngine", "Clustering", "Evaluation"]
        ),
        .executableTarget(name: "shoreline", dependencies: ["ShorelineCLI"]),

        // Benchmarks (not part of the product).
        .executableTarget(
            name: "shoreline-bench-engine",
            dependencies: ["TensorEngine", "Clustering"],
            path: "bench/engine",
            exclude: ["run.sh", "pytorch_step.py", "README.md"]
        ),

        // Tests. TestSupport finds the real data and makes scratch folders.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GeoRasterTests", dependencies: ["GeoRaster", "TestSupport"]),
        .testTarget(name: "TilingTests", dependencies: ["Tiling", "GeoRaster", "TestSupport"]),
        .testTarget(
            name: "TensorEngineTests",
            dependencies: ["TensorEngine", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ClusteringTests", dependencies: ["Clustering", "Evaluation", "GeoRaster", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
        .testTarget(
            name: "ShorelineCLITests",
            dependencies: ["ShorelineCLI", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
