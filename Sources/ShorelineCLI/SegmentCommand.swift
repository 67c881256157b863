import Clustering
import Evaluation
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GeoRaster
import TensorEngine
import Tiling

/// `shoreline segment`: whole-scene cluster and water masks from a trained run.
enum SegmentCommand {
    static let spec = CommandSpec(
        name: "segment",
        summary: "Segment whole scenes with a trained run into cluster and water masks.",
        usage: "--model RUN --output DIR SCENE_OR_DIR... [options]",
        discussion: """
            Each scene is segmented in windows of --window px plus a margin of half the model's receptive
            field on every side (the margin is cut off again, so window seams do not show); pixels past the
            scene's border are reflected from inside. Windows are read one row at a time.

            Writes, georeferenced as the scene: DIR/<scene>_clusters.tif (UInt8 COG of cluster ids, nodata
            255, overviews by nearest neighbour), DIR/<scene>_clusters.json (each cluster's mean MNDWI, or
            NDWI without B11, and mean visible reflectance, with the names below), DIR/<scene>_water.tif
            (0 not water, 1 water, nodata 255), DIR/<scene>_quicklook.png and DIR/<scene>_overlay.png.
            Clusters are named without labels: mean visible reflectance from 0.3 is cloud, else a mean
            index above 0 is water, else land.

            Masks are written strip by strip into hidden staging files and renamed when complete. SIGINT or
            SIGTERM stops the command after the current window row and removes the staging files.
            """,
        options: [
            OptionSpec("--model", value: "RUN", help: "run folder written by 'shoreline train' (required)"),
            OptionSpec("--output", value: "DIR", help: "output folder (required)"),
            OptionSpec("--input", .repeated, value: "PATH", help: "scene file or folder (repeatable; positionals work too)"),
            OptionSpec("--checkpoint", value: "FILE",
                       help: "checkpoint to load instead of the run's final one, such as an earlier checkpoints/step-N file"),
            OptionSpec("--head", value: "NAME", help: "head whose clusters are written (default: the first, main)"),
            OptionSpec("--window", value: "N", help: "window core side in pixels, even (default 512)"),
            OptionSpec("--bands", value: "NAMES", help: "band names in file order, comma-separated (B11,B8,B3)"),
            OptionSpec("--threads", value: "T", help: "compute threads (default 1)"),
            ReflectanceOption.spec,
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let hint = "run 'shoreline segment --help'"
        let runFolder = try arguments.required("--model")
        let output = try arguments.required("--output")
        let window = try arguments.integer("--window", default: 512, in: 2...65_536)
        guard window % 2 == 0 else {
            throw UsageError(description: "option '--window' must be even, got '\(window)'; \(hint)")
        }
        EngineThreads.set(try arguments.integer("--threads", default: 1, in: 1...256))
        // Scenes are read in strips aligned to their blocks and each block
        // once, so GDAL's block cache need not keep blocks between reads.
        GDALLibrary.limitBlockCache(megabytes: 64)
        MallocThresholds.keepFreedBlocks()
        let declaredBands = try arguments.list("--bands")
        let offset = try ReflectanceOption.offset(arguments)
        let scenes = try discoverScenes(arguments.strings("--input") + arguments.positionals, commandName: "segment")

        let model = try TrainedModelLoader.load(run: URL(fileURLWithPath: runFolder),
                                                checkpoint: arguments.string("--checkpoint").map { URL(fileURLWithPath: $0) })
        var head = 0
        if let name = arguments.string("--head") {
            guard let index = model.headNames.firstIndex(of: name) else {
                throw UsageError(description: "option '--head' must be one of \(model.headNames.joined(separator: ", ")), got '\(name)'; \(hint)")
            }
            head = index
        }
        guard model.clusterCounts[head] <= 254 else {
            throw UsageError(description: "head '\(model.headNames[head])' has \(model.clusterCounts[head]) clusters but cluster rasters hold at most 254; choose another --head")
        }
        try createOutputFolder(output)
        let lock = try OutputLock(folder: output, name: ".segment.lock")
        defer { lock.release() }
        let segmenter = SceneSegmenter(model: model, coreSize: window, head: head)
        console.logger.info("segmenting \(counted(scenes.count, "scene")) with head '\(model.headNames[head])' (\(model.clusterCounts[head]) clusters) into '\(output)'")

        // SIGINT or SIGTERM stops after the current window row; the writers
        // then remove their staging files.
        let stop = StopRequest()
        let interruption = Interruption(onFirstSignal: { stop.request() })
        defer { interruption.stopListening() }
        func stopIfRequested() throws {
            guard stop.isRequested else { return }
            throw Interrupted(signal: interruption.signal ?? SIGINT,
                              outcome: "the masks of scenes finished before it are kept and partial files removed")
        }

        for scene in scenes {
            try stopIfRequested()
            let dataset = try scene.open(bandNames: declaredBands)
            let scale = ReflectanceScale.forScene(dataset, offset: offset)
            let started = Date()
            let writer = try ClusterPredictionWriter(dataset: dataset, clusterCount: model.clusterCounts[head],
                                                     scene: scene.name, folder: output, scale: scale)
            let bar = console.progressBar(unit: "windows")
            do {
                try segmenter.segment(dataset, scale: scale, stripBands: writer.bandsRead,
                                      progress: { bar.update(completed: $0, total: $1) }) { strip in
                    try stopIfRequested()
                    try writer.add(strip.window, clusters: strip.clusters, reflectance: strip.reflectance)
                }
                bar.finish()
            } catch {
                bar.finish()
                throw error
            }
            try stopIfRequested()
            let written = try writer.finish()
            let seconds = Date().timeIntervalSince(started)
            let names = written.statistics.mapping.classes.map { $0?.description ?? "empty" }
            let megapixels = Double(dataset.width * dataset.height) / 1e6
            // Each scene's line is printed as soon as it is done, so that an
            // interrupted run still reports the scenes it kept.
            console.print("\(scene.name)  clusters \(names.joined(separator: ","))  water \(written.water)  "
                          + String(format: "%.2f Mpx/s", megapixels / max(seconds, 1e-9)))
        }
    }
}
