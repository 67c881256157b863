import Evaluation
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GeoRaster
import Tiling

/// `shoreline baseline`: water masks from NDWI / MNDWI thresholds, or
/// k-means clusters named label-free.
enum BaselineCommand {
    static let spec = CommandSpec(
        name: "baseline",
        summary: "Write water masks from a water index and a threshold, or from k-means clusters.",
        usage: "--index ndwi|mndwi [--threshold otsu|VALUE] | --kmeans K  --output DIR SCENE_OR_DIR...",
        discussion: """
            --index: NDWI = (B3 - B8) / (B3 + B8), MNDWI = (B3 - B11) / (B3 + B11); water where the index
            is above the threshold: 0 by default, a given value, or Otsu's threshold of the scene's own index
            (a 512-bin histogram over [-1, 1], filled strip by strip). Writes DIR/<scene>_water.tif.

            --kmeans K: k-means (k-means++ start, standardised reflectance of --kmeans-bands on the
            --input-scale, fitted on a random sample of at most 200,000 valid pixels, then every pixel
            assigned), then each cluster is named water, land or cloud from its mean MNDWI (NDWI without
            B11) and brightness.
            Writes DIR/<scene>_clusters.tif, DIR/<scene>_clusters.json and DIR/<scene>_water.tif.

            Masks are UInt8 COGs georeferenced as the scene: 0 not water, 1 water, 255 invalid (nodata);
            cluster rasters hold cluster ids with nodata 255. Both also write DIR/<scene>_quicklook.png and
            DIR/<scene>_overlay.png. 'shoreline evaluate' scores either.
            """,
        options: [
            OptionSpec("--output", value: "DIR", help: "output folder (required)"),
            OptionSpec("--index", value: "NAME", help: "ndwi or mndwi"),
            OptionSpec("--threshold", value: "otsu|VALUE", help: "water above this index value, or otsu per scene (default 0)"),
            OptionSpec("--kmeans", value: "K", help: "k-means with K clusters, 2 to 254, instead of an index"),
            OptionSpec("--kmeans-bands", value: "NAMES",
                       help: "bands clustered (default: every band but B1, B9 and B10, which see the atmosphere)"),
            OptionSpec("--input-scale", value: "NAME",
                       help: "k-means input: linear, logarithm or spectral-shape (each pixel divided by its norm over the bands), before the standardisation (default linear)"),
            OptionSpec("--seed", value: "N", help: "k-means seed (default 0)"),
            OptionSpec("--bands", value: "NAMES", help: "band names in file order, comma-separated (B11,B8,B3)"),
            ReflectanceOption.spec,
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let output = try arguments.required("--output")
        let method = try Method(arguments)
        let declaredBands = try arguments.list("--bands")
        let offset = try ReflectanceOption.offset(arguments)
        let scenes = try discoverScenes(arguments.positionals, commandName: "baseline")
        try createOutputFolder(output)
        // Scenes are read in strips aligned to their blocks and each block
        // once, so GDAL's block cache need not keep blocks between reads.
        GDALLibrary.limitBlockCache(megabytes: 64)
        MallocThresholds.keepFreedBlocks()
        console.logger.info("\(method) on \(counted(scenes.count, "scene")) into '\(output)'")

        // SIGINT or SIGTERM stops after the current strip; the writers then
        // remove their staging files.
        let stop = StopRequest()
        let interruption = Interruption(onFirstSignal: { stop.request() })
        defer { interruption.stopListening() }
        let stopIfRequested = {
            guard stop.isRequested else { return }
            throw Interrupted(signal: interruption.signal ?? SIGINT,
                              outcome: "the masks of scenes finished before it are kept and partial files removed")
        }

        let bar = console.progressBar(unit: "scenes")
        var lines: [String] = []
        for (number, scene) in scenes.enumerated() {
            try stopIfRequested()
            lines.append(try runBaseline(method, scene: scene, bandNames: declaredBands, offset: offset, output: output,
                                         stopIfRequested: stopIfRequested))
            bar.update(completed: number + 1, total: scenes.count)
        }
        bar.finish()
        lines.forEach(console.print)
    }

    /// Runs one baseline on one scene and writes its files into `output`.
    /// - Parameter stopIfRequested: called before each strip is written; an
    ///   error it throws stops the scene and removes its partial files.
    /// - Returns: the line printed for the scene.
    @discardableResult
    static func runBaseline(_ method: Method, scene: SceneSource, bandNames: [String]?, offset: Float?,
                            output: String, stopIfRequested: () throws -> Void = {}) throws -> String {
        let dataset = try scene.open(bandNames: bandNames)
        let scale = ReflectanceScale.forScene(dataset, offset: offset)
        switch method {
        case .index(let baseline):
            let writer = try WaterMaskWriter(dataset: dataset, scene: scene.name, folder: output)
            let result = try baseline.segment(dataset, scale: scale) { window, water in
                try stopIfRequested()
                try writer.add(window, water: water)
            }
            try writer.finish()
            return "\(scene.name)  threshold \(result.threshold.map { String(format: "%.3f", $0) } ?? "none")  water \(writer.share)"
        case .kmeans(let configuration, let bands, let inputScale):
            let names = bands ?? dataset.bandNames.filter { !["B1", "B9", "B10"].contains($0) }
            let writer = try ClusterPredictionWriter(dataset: dataset, clusterCount: configuration.clusterCount,
                                                     scene: scene.name, folder: output, scale: scale)
            let baseline = KMeansBaseline(bands: names, configuration: configuration, inputScale: inputScale)
            let model = try baseline.fit(dataset, scale: scale)
            try baseline.assign(dataset, model: model, scale: scale) { window, ids in
                try stopIfRequested()
                try writer.add(window, clusters: ids)
            }
            let written = try writer.finish()
            let clusterNames = written.statistics.mapping.classes.map { $0?.description ?? "unmapped" }
            return "\(scene.name)  clusters \(clusterNames.joined(separator: ","))  water \(written.water)"
                + (model.converged ? "" : "  (not converged in \(model.iterations) iterations)")
        }
    }

    /// The baseline chosen on the command line.
    enum Method: CustomStringConvertible {
        case index(WaterIndexBaseline)
        case kmeans(KMeansConfiguration, bands: [String]?, inputScale: InputScale)

        init(_ arguments: ParsedArguments) throws {
            let hint = "run 'shoreline baseline --help'"
            switch (arguments.string("--index"), arguments.string("--kmeans")) {
            case (let name?, nil):
                guard let index = WaterIndex(rawValue: name.lowercased()) else {
                    throw UsageError(description: "option '--index' must be ndwi or mndwi, got '\(name)'; \(hint)")
                }
                let threshold: WaterIndexThreshold
                switch arguments.string("--threshold") {
                case nil: threshold = .fixed(0)
                case "otsu"?: threshold = .otsu(binCount: 512)
                case let text?:
                    guard let value = Float(text), value.isFinite else {
                        throw UsageError(description: "option '--threshold' must be otsu or a number such as 0.1, got '\(text)'; \(hint)")
                    }
                    threshold = .fixed(value)
                }
                for option in ["--kmeans-bands", "--seed", "--input-scale"] where arguments.string(option) != nil {
                    throw UsageError(description: "option '\(option)' belongs to --kmeans, not --index; \(hint)")
                }
                self = .index(WaterIndexBaseline(index: index, threshold: threshold))
            case (nil, _?):
                let count = try arguments.integer("--kmeans", default: 3, in: 2...254)
                if arguments.string("--threshold") != nil {
                    throw UsageError(description: "option '--threshold' belongs to --index, not --kmeans; \(hint)")
                }
                let seed = try arguments.integer("--seed", default: 0, in: 0...Int.max)
                var inputScale = InputScale.linear
                if let name = arguments.string("--input-scale") {
                    guard let parsed = InputScale(rawValue: name) else {
                        throw UsageError(description: "option '--input-scale' must be one of \(InputScale.names), got '\(name)'; \(hint)")
                    }
                    inputScale = parsed
                }
                self = .kmeans(KMeansConfiguration(clusterCount: count, seed: UInt64(seed)), bands: try arguments.list("--kmeans-bands"),
                               inputScale: inputScale)
            case (_?, _?):
                throw UsageError(description: "options '--index' and '--kmeans' exclude each other; give one (\(hint))")
            case (nil, nil):
                throw UsageError(description: "baseline needs '--index ndwi|mndwi' or '--kmeans K'; \(hint)")
            }
        }

        var description: String {
            switch self {
            case .index(let baseline):
                let threshold: String
                switch baseline.threshold {
                case .fixed(let value): threshold = "> \(value)"
                case .otsu: threshold = "> Otsu"
                }
                return "\(baseline.index.rawValue.uppercased()) \(threshold)"
            case .kmeans(let configuration, _, let inputScale):
                let scale = inputScale == .linear ? "" : ", \(inputScale.rawValue)"
                return "k-means (k = \(configuration.clusterCount)\(scale))"
            }
        }
    }
}
