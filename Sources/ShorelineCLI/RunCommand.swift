import Clustering
import Evaluation
import Foundation
import GeoRaster
import TensorEngine
import Tiling

/// `shoreline run`: the main job in one command.
enum RunCommand {
    static let spec = CommandSpec(
        name: "run",
        summary: "Tile, train, segment, run the baselines, score everything against labels and write DIR/report.md.",
        usage: "--output DIR SCENE_OR_DIR... [--labels DIR_OR_FILE --label-codes PRESET] [options]",
        discussion: """
            Steps: tile the scenes into DIR/tiles, train --method on them into DIR/run, segment every scene
            into DIR/predictions/<method>, run the baselines (NDWI and MNDWI above 0 and above Otsu's
            threshold, k-means with as many clusters as the main head on linear and on spectral-shape
            input) into DIR/predictions/<baseline>, and, when labels are given, score each against them: cluster outputs with the Hungarian mapping
            (which uses the labels; made per scene for k-means, whose ids differ per scene) and label-free
            (which does not), water-index masks as they are.
            Writes DIR/report.md with the table, the training loss curve (DIR/loss.png), quicklooks and
            overlays, and prints the table. Baselines whose bands a scene lacks are skipped.
            """,
        options: [
            OptionSpec("--output", value: "DIR", help: "output folder (required; DIR/run must not exist yet)"),
            OptionSpec("--input", .repeated, value: "PATH", help: "scene file or folder (repeatable; positionals work too)"),
            OptionSpec("--labels", value: "DIR_OR_FILE", help: "label folder, or one label file for one scene"),
            OptionSpec("--label-codes", value: "PRESET",
                       help: "worldfloods, worldfloods-v2, sen1floods11, binary255, or CODE:CLASS,... (needed with labels)"),
            OptionSpec("--method", value: "NAME", help: "clustering method: iic (default) or infoseg"),
            OptionSpec("--bands", value: "NAMES", help: "band names in file order, comma-separated (B11,B8,B3)"),
            OptionSpec("--train-bands", value: "NAMES", help: "bands the model learns from (default: train's default)"),
            OptionSpec("--tile-size", value: "N", help: "training tile side in pixels (default 256)"),
            OptionSpec("--steps", value: "N", help: "training steps (default 300)"),
            OptionSpec("--batch", value: "B", help: "crops per step (default 4)"),
            OptionSpec("--crop", value: "C", help: "crop side in pixels, even (default 96)"),
            OptionSpec("--clusters", value: "K", help: "clusters of the main head (default 3)"),
            OptionSpec("--overclusters", value: "K2", help: "clusters of IIC's overclustering head, 0 for none (default 15)"),
            OptionSpec("--seed", value: "S", help: "random seed of training and k-means (default 0)"),
            OptionSpec("--threads", value: "T", help: "compute threads (default 1)"),
            ReflectanceOption.spec,
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let hint = "run 'shoreline run --help'"
        let started = Date()
        let output = try arguments.required("--output")
        let method = arguments.string("--method") ?? "iic"
        guard method == "iic" || method == "infoseg" else {
            throw UsageError(description: "option '--method' must be iic or infoseg, got '\(method)'; \(hint)")
        }
        let declaredBands = try arguments.list("--bands")
        let offset = try ReflectanceOption.offset(arguments)
        let seed = try arguments.integer("--seed", default: 0, in: 0...Int.max)
        let threads = try arguments.integer("--threads", default: 1, in: 1...256)
        var configuration = IICConfiguration()
        configuration.clusters = try arguments.integer("--clusters", default: configuration.clusters, in: 2...254)
        configuration.overclusters = try arguments.integer("--overclusters", default: configuration.overclusters, in: 0...254)
        guard configuration.overclusters != 1 else {
            throw UsageError(description: "option '--overclusters' must be 0 or at least 2, got '1'; \(hint)")
        }
        let codes: LabelCodes?
        do {
            codes = try arguments.string("--label-codes").map { try LabelCodes(parsing: $0) }
        } catch let error as TilingError {
            throw UsageError(description: error.description)
        }
        let inputs = arguments.strings("--input") + arguments.positionals
        guard !inputs.isEmpty else {
            throw UsageError(description: "run needs at least one SCENE_OR_DIR; \(hint)")
        }
        let pairing = try ScenePairing.discover(inputs: inputs, labels: arguments.string("--labels"))
        guard !pairing.pairs.isEmpty else { throw TilingError.noScenes }
        let labelled = pairing.pairs.filter { $0.label != nil }
        if !labelled.isEmpty && codes == nil {
            throw TilingError.missingLabelCodes(label: labelled[0].label!)
        }
        for scene in pairing.unlabelledScenes { console.logger.warning("scene '\(scene)' has no label; it is segmented but not scored") }
        try createOutputFolder(output)
        // Scenes are read in strips aligned to their blocks and each block
        // once, so GDAL's block cache need not keep blocks between reads.
        GDALLibrary.limitBlockCache(megabytes: 64)
        MallocThresholds.keepFreedBlocks()
        let folder = output as NSString
        let logger = console.logger

        // 1. Tiles for training.
        var tiling = TilingOptions()
        tiling.tileSize = try arguments.integer("--tile-size", default: 256, in: 16...16384)
        tiling.bandNames = declaredBands
        tiling.maxInvalidFraction = 0.5
        let tiles = folder.appendingPathComponent("tiles")
        logger.info("1/5 tiling \(counted(pairing.pairs.count, "scene")) into '\(tiles)'")
        let tileBar = console.progressBar(unit: "tiles")
        let tiled = try TilingJob(pairs: pairing.pairs.map { ScenePair(scene: $0.scene, label: nil) }, outputFolder: tiles, options: tiling)
            .run { tileBar.update(completed: $0.completedTiles, total: $0.totalTiles) }
        tileBar.finish()

        // 2. Training.
        var training = TrainingOptions(inputs: [tiles], output: folder.appendingPathComponent("run"))
        training.bands = try arguments.list("--train-bands")
        training.steps = try arguments.integer("--steps", default: 300, in: 1...10_000_000)
        training.batch = try arguments.integer("--batch", default: training.batch, in: 1...1024)
        training.crop = try arguments.integer("--crop", default: training.crop, in: 8...4096)
        guard training.crop % 2 == 0 else {
            throw UsageError(description: "option '--crop' must be even, got '\(training.crop)'; \(hint)")
        }
        training.crop = min(training.crop, tiling.tileSize - tiling.tileSize % 2)
        training.seed = UInt64(seed)
        training.threads = threads
        logger.info("2/5 training \(method) on \(counted(tiled.tilesInManifest, "tile")) for \(training.steps) steps into '\(training.output)'")
        let stepBar = console.progressBar(unit: "steps")
        var infoseg = InfoSegConfiguration()
        infoseg.clusters = configuration.clusters
        let clusteringMethod: any ClusteringMethod = method == "iic"
            ? IICMethod(configuration: configuration) : InfoSegMethod(configuration: infoseg)
        let summary = try ClusteringTrainer(method: clusteringMethod, options: training).run(report: { event in
            switch event {
            case .step(let record, let total): stepBar.update(completed: record.step, total: total)
            case .started, .checkpoint: break
            case .warning(let message): logger.warning(message)
            }
        })
        stepBar.finish()

        // 3. Segmentation of every scene.
        EngineThreads.set(threads)
        let model = try TrainedModelLoader.load(run: URL(fileURLWithPath: training.output))
        let segmenter = SceneSegmenter(model: model, coreSize: 512)
        let predictions = folder.appendingPathComponent("predictions")
        let methodFolder = (predictions as NSString).appendingPathComponent(method)
        try createOutputFolder(methodFolder)
        let segmentLock = try OutputLock(folder: methodFolder, name: ".segment.lock")
        defer { segmentLock.release() }
        logger.info("3/5 segmenting \(counted(pairing.pairs.count, "scene")) into '\(methodFolder)'")
        let sceneBar = console.progressBar(unit: "scenes")
        for (number, pair) in pairing.pairs.enumerated() {
            let dataset = try pair.scene.open(bandNames: declaredBands)
            let scale = ReflectanceScale.forScene(dataset, offset: offset)
            let writer = try ClusterPredictionWriter(dataset: dataset, clusterCount: model.clusterCounts[segmenter.head],
                                                     scene: pair.scene.name, folder: methodFolder, scale: scale)
            try segmenter.segment(dataset, scale: scale, stripBands: writer.bandsRead) {
                try writer.add($0.window, clusters: $0.clusters, reflectance: $0.reflectance)
            }
            try writer.finish()
            sceneBar.update(completed: number + 1, total: pairing.pairs.count)
        }
        sceneBar.finish()

        // 4. Baselines.
        let baselines: [(key: String, name: String, method: BaselineCommand.Method)] = [
            ("ndwi-0", "NDWI > 0", .index(WaterIndexBaseline(index: .ndwi, threshold: .fixed(0)))),
            ("ndwi-otsu", "NDWI > Otsu", .index(WaterIndexBaseline(index: .ndwi, threshold: .otsu(binCount: 512)))),
            ("mndwi-0", "MNDWI > 0", .index(WaterIndexBaseline(index: .mndwi, threshold: .fixed(0)))),
            ("mndwi-otsu", "MNDWI > Otsu", .index(WaterIndexBaseline(index: .mndwi, threshold: .otsu(binCount: 512)))),
            ("kmeans", "k-means (k = \(configuration.clusters))",
             .kmeans(KMeansConfiguration(clusterCount: configuration.clusters, seed: UInt64(seed)), bands: nil, inputScale: .linear)),
            ("kmeans-spectral-shape", "k-means (k = \(configuration.clusters), spectral shape)",
             .kmeans(KMeansConfiguration(clusterCount: configuration.clusters, seed: UInt64(seed)), bands: nil, inputScale: .spectralShape)),
        ]
        logger.info("4/5 baselines: \(baselines.map(\.name).joined(separator: ", "))")
        var skipped: [String] = []
        let baselineBar = console.progressBar(unit: "baselines")
        for (number, baseline) in baselines.enumerated() {
            let target = (predictions as NSString).appendingPathComponent(baseline.key)
            try createOutputFolder(target)
            do {
                for pair in pairing.pairs {
                    try BaselineCommand.runBaseline(baseline.method, scene: pair.scene, bandNames: declaredBands, offset: offset, output: target)
                }
            } catch let error as EvaluationError {
                logger.warning("skipping \(baseline.name): \(error)")
                skipped.append(baseline.key)
                try? FileManager.default.removeItem(atPath: target)
            }
            baselineBar.update(completed: number + 1, total: baselines.count)
        }
        baselineBar.finish()

        // 5. Scores, the loss plot and the report.
        var scores: [MethodScore] = []
        if let codes, !labelled.isEmpty {
            logger.info("5/5 scoring against \(counted(labelled.count, "label"))")
            let labels = labelled.map { $0.label! }
            let scenes = Set(labelled.map { $0.scene.name })
            // k-means numbers its clusters anew in every scene, so its mapping is made per scene.
            func score(_ key: String, name: String, perSceneMapping: Bool = false) throws {
                let target = (predictions as NSString).appendingPathComponent(key)
                let clusters = (try? PredictionFile.discover(in: target, kind: .clusters))?.filter { scenes.contains($0.scene) } ?? []
                if !clusters.isEmpty {
                    for mapping in [ClusterMapping.Method.hungarian, .labelFree] {
                        let report = try EvaluateCommand.evaluate(predictions: clusters, labels: labels, codes: codes,
                                                                  classes: codes.classes, mapping: mapping, console: console,
                                                                  perSceneMapping: perSceneMapping, showsProgress: false)
                        let label = perSceneMapping && mapping == .hungarian ? "hungarian per scene" : mapping.rawValue
                        scores.append(MethodScore(method: name, mapping: label, metrics: report.pooled))
                    }
                } else {
                    let masks = try PredictionFile.discover(in: target, kind: .water).filter { scenes.contains($0.scene) }
                    let report = try EvaluateCommand.evaluate(predictions: masks, labels: labels, codes: codes,
                                                              classes: codes.classes, mapping: .hungarian, console: console, showsProgress: false)
                    scores.append(MethodScore(method: name, mapping: "fixed", metrics: report.pooled))
                }
            }
            try score(method, name: method)
            for baseline in baselines where !skipped.contains(baseline.key) {
                try score(baseline.key, name: baseline.name, perSceneMapping: baseline.key.hasPrefix("kmeans"))
            }
        } else {
            logger.info("5/5 no labels, so no scores")
        }

        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let records = try String(contentsOf: summary.log, encoding: .utf8).split(separator: "\n").compactMap { line in
            try? decoder.decode(StepRecord.self, from: Data(line.utf8))
        }
        if records.isEmpty { logger.warning("the training log '\(summary.log.path)' has no readable step; the loss plot is empty") }
        let lossPath = folder.appendingPathComponent("loss.png")
        let plot = LinePlot()
        try RasterWriter.writePNG(rgb: plot.render(records.map { (Double($0.step), Double($0.loss)) }),
                                  width: plot.width, height: plot.height, to: lossPath)
        let finalLoss = records.last.map { String(format: "%.4f", $0.loss) } ?? "-"
        let trainingText = "\(method) trained for \(summary.steps) steps (batch \(training.batch), crop \(training.crop) px, "
            + "\(counted(threads, "thread"))) in \(String(format: "%.1f", summary.seconds)) s; final loss \(finalLoss). "
            + "The run is in `run/` (config.json, checkpoints, log.jsonl)."
        let shown = pairing.pairs.prefix(4).map { pair -> (scene: String, quicklook: String, overlays: [(method: String, path: String)]) in
            let name = pair.scene.name
            let overlays = ([method] + baselines.filter { !skipped.contains($0.key) }.map(\.key)).map { key in
                (method: key, path: "predictions/\(key)/\(name)\(PredictionFile.overlaySuffix)")
            }
            return (name, "predictions/\(method)/\(name)\(PredictionFile.quicklookSuffix)", overlays)
        }
        let report = RunReport(
            command: commandLine(arguments),
            scores: scores, lossPlot: "loss.png", trainingSummary: trainingText, pictures: shown,
            notes: ["\(counted(pairing.pairs.count, "scene")), \(labelled.count) with labels"
                        + (codes.map { " (codes \($0.name))" } ?? ""),
                    "\(counted(tiled.tilesInManifest, "training tile")) of \(tiling.tileSize) px",
                    "pictures of the first \(shown.count) of \(counted(pairing.pairs.count, "scene")); "
                        + "every scene's pictures are in `predictions/`",
                    String(format: "total time %.0f s", Date().timeIntervalSince(started))])
        let reportPath = folder.appendingPathComponent("report.md")
        try Data(report.renderMarkdown().utf8).write(to: URL(fileURLWithPath: reportPath), options: .atomic)

        if !scores.isEmpty { console.print(report.renderTable()) }
        console.print("report: \(reportPath)")
    }

    /// Returns the command as it could be typed again: options in the order
    /// of the help, then the inputs.
    static func commandLine(_ arguments: ParsedArguments) -> String {
        var words = ["shoreline", "run"]
        for option in spec.options {
            for value in arguments.strings(option.name) { words += [option.name, value] }
            if arguments.flag(option.name) { words.append(option.name) }
        }
        return (words + arguments.positionals).joined(separator: " ")
    }
}
