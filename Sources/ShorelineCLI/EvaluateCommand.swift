import Evaluation
import Foundation
import GeoRaster
import Tiling

/// `shoreline evaluate`: scores predictions against labels.
enum EvaluateCommand {
    static let spec = CommandSpec(
        name: "evaluate",
        summary: "Score cluster or water-mask predictions against labels, per scene and pooled.",
        usage: "--predictions DIR --labels DIR_OR_FILE... --label-codes PRESET [--mapping NAME] [--json]",
        discussion: """
            Predictions are DIR/<scene>_clusters.tif (cluster ids) or DIR/<scene>_water.tif (0 not water,
            1 water), as 'shoreline segment' and 'shoreline baseline' write them; cluster rasters are scored
            when present, unless --score water. Labels pair with scenes by name (<id>_S2Hand with
            <id>_LabelHand, S2_after_<n> with S2_mask_<n>, or the same name) and must share the pixel grid.

            Cluster ids become classes by a mapping: hungarian (one-to-one, on the pooled counts; clusters
            left over count as errors), majority (each cluster to its most frequent class, for
            overclustering), or label-free (each scene's own names from DIR/<scene>_clusters.json: mean
            MNDWI or NDWI above 0 is water, mean visible reflectance from 0.3 is cloud). Water masks are
            scored as they are. Invalid pixels are never counted; pooled scores sum the pixels of all
            scenes. Matrices are filled strip by strip, so memory does not grow with scene size or count.
            """,
        options: [
            OptionSpec("--predictions", value: "DIR", help: "folder of predictions (required)"),
            OptionSpec("--labels", .repeated, value: "DIR_OR_FILE", help: "label folder or file (required, repeatable)"),
            OptionSpec("--label-codes", value: "PRESET",
                       help: "worldfloods, worldfloods-v2, sen1floods11, binary255, or CODE:CLASS,... (required)"),
            OptionSpec("--mapping", value: "NAME", help: "hungarian (default), majority or label-free"),
            OptionSpec("--score", value: "KIND", help: "clusters or water (default: clusters when present, else water)"),
            OptionSpec("--ignore-cloud", .flag, help: "skip pixels labelled cloud instead of scoring them"),
            OptionSpec("--json", .flag, help: "print one JSON object instead of a table"),
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let hint = "run 'shoreline evaluate --help'"
        guard arguments.positionals.isEmpty else {
            throw UsageError(description: "evaluate takes no positional argument, got '\(arguments.positionals[0])'; \(hint)")
        }
        let folder = try arguments.required("--predictions")
        let labelInputs = arguments.strings("--labels")
        guard !labelInputs.isEmpty else {
            throw UsageError(description: "option '--labels DIR_OR_FILE' is required; \(hint)")
        }
        let codes: LabelCodes
        do {
            codes = try LabelCodes(parsing: try arguments.required("--label-codes"))
        } catch let error as TilingError {
            throw UsageError(description: error.description)
        }
        let mappingName = arguments.string("--mapping") ?? "hungarian"
        guard let method = ClusterMapping.Method(rawValue: mappingName), method != .fixed else {
            throw UsageError(description: "option '--mapping' must be hungarian, majority or label-free, got '\(mappingName)'; \(hint)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TilingError.inputNotFound(folder)
        }
        let kind: PredictionFile.Kind
        switch arguments.string("--score") {
        case nil: kind = (try? PredictionFile.discover(in: folder, kind: .clusters)) == nil ? .water : .clusters
        case "clusters"?: kind = .clusters
        case "water"?: kind = .water
        case let other?: throw UsageError(description: "option '--score' must be clusters or water, got '\(other)'; \(hint)")
        }
        var classes = codes.classes
        if arguments.flag("--ignore-cloud") { classes.removeAll { $0 == .cloud } }

        let evaluation = try evaluate(predictions: try PredictionFile.discover(in: folder, kind: kind),
                                      labels: try labelFiles(labelInputs), codes: codes, classes: classes,
                                      mapping: method, console: console)
        if kind == .water && arguments.string("--mapping") != nil {
            console.logger.warning("water masks are scored as they are; --mapping '\(mappingName)' applies to cluster rasters only")
        }
        if arguments.flag("--json") {
            console.print(String(decoding: try evaluation.jsonData(), as: UTF8.self))
        } else {
            console.print(evaluation.renderTable())
        }
    }

    /// Scores each prediction against its label and pools the scenes.
    static func evaluate(predictions: [PredictionFile], labels: [String], codes: LabelCodes, classes: [SurfaceClass],
                         mapping method: ClusterMapping.Method, console: Console,
                         showsProgress: Bool = true) throws -> EvaluationReport {
        // Pair every prediction with its label before reading any pixel.
        let pairs = try predictions.map { prediction -> (PredictionFile, String) in
            if predictions.count == 1 && labels.count == 1 { return (prediction, labels[0]) }
            guard let label = PairingRule.label(forScene: prediction.scene, in: labels) else {
                throw EvaluationError.noLabel(scene: prediction.scene, labels: labels.count == 1 ? labels[0] : "\(labels.count) label files")
            }
            return (prediction, label)
        }

        // Cluster counts come from the statistics files, or from the values seen.
        let statistics = try pairs.map { prediction, _ -> ClusterStatisticsFile? in
            guard prediction.kind == .clusters else { return nil }
            let path = prediction.statisticsPath
            if method == .labelFree || FileManager.default.fileExists(atPath: path) {
                return try ClusterStatisticsFile(contentsOf: path)
            }
            return nil
        }
        let clusterCount: Int
        if pairs.first?.0.kind == .water {
            clusterCount = ClusterMapping.waterMask.clusterCount
        } else if statistics.allSatisfy({ $0 != nil }) {
            clusterCount = statistics.map { $0!.statistics.clusterCount }.max()!
        } else {
            clusterCount = Int(ClusterIDs.invalid)
        }

        // One streamed matrix per scene.
        let bar = console.progressBar(unit: "scenes")
        var scenes: [SceneConfusion] = []
        for (number, (prediction, labelPath)) in pairs.enumerated() {
            let predicted = try Dataset(path: prediction.path, allowUnnamedBands: true)
            let label = try Dataset(path: labelPath, allowUnnamedBands: true)
            let matrix = try SceneEvaluator.confusion(prediction: predicted, label: label, codes: codes,
                                                      clusterCount: clusterCount, classes: classes)
            scenes.append(SceneConfusion(scene: prediction.scene, matrix: matrix))
            if showsProgress { bar.update(completed: number + 1, total: pairs.count) }
        }
        if showsProgress { bar.finish() }
        scenes = trimmedToUsedClusters(scenes, keeping: statistics.compactMap { $0?.statistics.clusterCount }.max() ?? 1)

        // The mapping.
        if pairs[0].0.kind == .water {
            return EvaluationReport(scenes: scenes, mapping: .waterMask)
        }
        let pooled = ConfusionMatrix.pooled(scenes.map(\.matrix))!
        switch method {
        case .hungarian, .fixed:
            return EvaluationReport(scenes: scenes, mapping: .hungarian(pooled))
        case .majority:
            return EvaluationReport(scenes: scenes, mapping: .majority(pooled))
        case .labelFree:
            let naming = LabelFreeNaming()
            let mappings = zip(scenes, statistics).map { scene, file -> ClusterMapping in
                let named = naming.mapping(file!.statistics).classes
                let classes = (0..<scene.matrix.clusterCount).map { $0 < named.count ? named[$0] : nil }
                return ClusterMapping(method: .labelFree, classes: classes)
            }
            return EvaluationReport(scenes: scenes, mappings: mappings)
        }
    }

    /// Drops the cluster rows no scene used beyond the first `keeping`, so a
    /// matrix sized for every possible id prints only the real clusters.
    static func trimmedToUsedClusters(_ scenes: [SceneConfusion], keeping minimum: Int) -> [SceneConfusion] {
        let used = scenes.map { scene -> Int in
            guard let last = (0..<scene.matrix.clusterCount).last(where: { scene.matrix.pixelCount(cluster: $0) > 0 }) else { return 0 }
            return last + 1
        }.max() ?? 0
        let count = max(used, minimum, 1)
        return scenes.map { scene in
            guard count < scene.matrix.clusterCount else { return scene }
            let matrix = ConfusionMatrix(clusterCount: count, classes: scene.matrix.classes,
                                         counts: Array(scene.matrix.counts.prefix(count * scene.matrix.classes.count)))
            return SceneConfusion(scene: scene.scene, matrix: matrix)
        }
    }

    /// Returns the label files named by `--labels`: files as given, and the
    /// rasters inside folders.
    static func labelFiles(_ inputs: [String]) throws -> [String] {
        var files: [String] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw TilingError.inputNotFound(input)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: input).sorted()
                files += names.filter { !$0.hasPrefix(".") && ["tif", "tiff", "png", "vrt"].contains(($0 as NSString).pathExtension.lowercased()) }
                    .map { (input as NSString).appendingPathComponent($0) }
            } else {
                files.append(input)
            }
        }
        return files
    }
}
