import Foundation
import GeoRaster
import Tiling

/// `shoreline tile`: cuts scenes into labelled tiles.
enum TileCommand {
    static let spec = CommandSpec(
        name: "tile",
        summary: "Cut scenes into square tiles with their labels, and write a manifest.",
        usage: "SCENE_OR_DIR... --output DIR [options]",
        discussion: """
            Inputs are raster files, folders of scenes, a WorldFloods split (S2/ with gt/), an OMBRIA folder
            (AFTER/ with MASK/) or a folder of one file per band. Labels pair with scenes by name:
            <id>_S2Hand with <id>_LabelHand, S2_after_<n> with S2_mask_<n>, or the same name.

            Writes DIR/images/<scene>_r<row>_c<column>.tif (the scene's data type and bands, with an
            internal mask band, 0 invalid and 255 valid, when a tile has invalid pixels), DIR/labels/
            (UInt8 classes: 0 invalid, 1 land, 2 water, 3 cloud) and DIR/manifest.csv. Edge tiles are
            padded and masked, never resampled. Image tiles
            carry the radiometric offset (--offset, else the scene's metadata) as BOA_ADD_OFFSET. A re-run
            into DIR skips finished scenes and intact tiles, and rewrites missing or truncated ones. With
            --shard I/N each run writes DIR/manifest.shard-I-of-N.csv; 'shoreline merge-manifests DIR'
            joins them.

            Manifest columns: invalid_fraction is the tile's pixels invalid in the image or the label
            (padding included) over all its pixels; water_fraction and cloud_fraction are over the pixels
            valid in both, and empty for tiles without a label.

            Exit codes: 0 success; 1 bad data or a failed write; 2 a command-line mistake;
            3 when --on-error skip skipped a scene (listed in DIR/failed-scenes.csv);
            130 or 143 when interrupted (SIGINT or SIGTERM).
            """,
        options: [
            OptionSpec("--output", value: "DIR", help: "output folder (required)"),
            OptionSpec("--labels", value: "DIR_OR_FILE", help: "label folder, or one label file for one scene"),
            OptionSpec("--label-codes", value: "PRESET",
                       help: "worldfloods, worldfloods-v2, sen1floods11, binary255, or CODE:CLASS,... (-1:invalid,0:land,1:water)"),
            OptionSpec("--label-rule", .repeated, value: "SCENE_TEXT=LABEL_TEXT",
                       help: "pair a label whose name replaces SCENE_TEXT with LABEL_TEXT (repeatable)"),
            OptionSpec("--pair", .repeated, value: "SCENE=LABEL", help: "an explicit scene and label pair (repeatable)"),
            OptionSpec("--size", value: "N", help: "tile side in pixels (default 512)"),
            OptionSpec("--overlap", value: "N", help: "pixels shared by neighbouring tiles (default 0)"),
            OptionSpec("--max-invalid", value: "F", help: "skip tiles with a larger fraction of invalid image pixels, 0 to 1 (default 0.5); tiles with no valid pixel are always skipped"),
            OptionSpec("--bands", value: "NAMES",
                       help: "band names in file order, comma-separated (B11,B8,B3); folders of one file per band take them from the file names"),
            OptionSpec("--offset", value: "DN",
                       help: "radiometric offset to record in image tiles as BOA_ADD_OFFSET=-DN, such as 1000 for baseline 04.00 and later; samples stay as stored (default: from the scene's metadata, else none)"),
            OptionSpec("--on-error", value: "POLICY",
                       help: "stop (default): the first unreadable or mismatched scene stops the job; skip: leave it out, tile the rest, exit 3"),
            OptionSpec("--shard", value: "I/N", help: "tile only shard I of N (0 <= I < N), split by scene name"),
            OptionSpec("--workers", value: "N", help: "threads reading and writing tiles (default 1)"),
            OptionSpec("--compression", value: "NAME", help: "deflate (default), zstd, lzw or none"),
            OptionSpec("--cache-mb", value: "N", help: "GDAL block cache in MB unless GDAL_CACHEMAX is set, raised for stripped scenes (default 64)"),
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        // One malloc arena for the whole process, set before the signal
        // handlers and workers start threads, because a thread that already
        // has an arena keeps it. With an arena per worker, 2 workers cutting a
        // 10980 px scene peaked at 1.11 to 1.13 x the RSS of a 5490 px scene,
        // and with one arena at 1.02 to 1.03 x, for the same CPU time.
        MallocArenas.limit(to: 1)
        guard !arguments.positionals.isEmpty || !arguments.strings("--pair").isEmpty else {
            throw UsageError(description: "tile needs at least one SCENE_OR_DIR; run 'shoreline tile --help'")
        }
        let output = try arguments.required("--output")

        // Options.
        var options = TilingOptions()
        options.tileSize = try arguments.integer("--size", default: 512, in: 1...16384)
        options.overlap = try arguments.integer("--overlap", default: 0, in: 0...16383)
        guard options.overlap < options.tileSize else {
            throw UsageError(description: "option '--overlap' must be smaller than --size \(options.tileSize), got '\(options.overlap)'; run 'shoreline tile --help'")
        }
        options.maxInvalidFraction = try arguments.decimal("--max-invalid", default: 0.5, in: 0...1)
        options.bandNames = try arguments.bandNames("--bands")
        options.workers = try arguments.integer("--workers", default: 1, in: 1...256)
        options.radiometricOffset = try ReflectanceOption.offset(arguments)
        if let policy = arguments.string("--on-error") {
            guard let value = SceneErrorPolicy(rawValue: policy) else {
                throw UsageError(description: "option '--on-error' must be stop or skip, got '\(policy)'; run 'shoreline tile --help'")
            }
            options.onError = value
        }
        do {
            options.labelCodes = try arguments.string("--label-codes").map { try LabelCodes(parsing: $0) }
            options.shard = try arguments.string("--shard").map { try Shard(parsing: $0) }
        } catch let error as TilingError {
            throw UsageError(description: error.description)
        }
        if let name = arguments.string("--compression") {
            guard let compression = Compression(rawValue: name.uppercased()) else {
                throw UsageError(description: "option '--compression' must be deflate, zstd, lzw or none, got '\(name)'; run 'shoreline tile --help'")
            }
            options.compression = compression
        }
        GDALLibrary.limitBlockCache(megabytes: try arguments.integer("--cache-mb", default: 64, in: 16...1_000_000))

        // Scenes and labels.
        let rules = try arguments.strings("--label-rule").map { text in
            guard let rule = PairingRule(parsing: text) else {
                throw UsageError(description: "option '--label-rule' needs SCENE_TEXT=LABEL_TEXT, got '\(text)'; run 'shoreline tile --help'")
            }
            return rule
        }
        let pairs = try arguments.strings("--pair").map { text -> (scene: String, label: String) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw UsageError(description: TilingError.invalidPair(text).description) }
            return (parts[0], parts[1])
        }
        let pairing = try ScenePairing.discover(inputs: arguments.positionals, labels: arguments.string("--labels"),
                                                rules: rules, explicitPairs: pairs)
        for scene in pairing.unlabelledScenes { console.logger.warning("scene '\(scene)' has no label; tiling its image only") }
        for label in pairing.unmatchedLabels { console.logger.warning("label '\(label)' matches no scene; it is ignored") }
        let labelled = pairing.pairs.filter { $0.label != nil }.count
        console.logger.info("tiling \(counted(pairing.pairs.count, "scene")) (\(labelled) with labels) into '\(output)'"
                    + (options.shard.map { " as shard \($0)" } ?? ""))

        // The job, stopped cleanly by SIGINT or SIGTERM.
        let job = TilingJob(pairs: pairing.pairs, outputFolder: output, options: options)
        let bar = console.progressBar(unit: "tiles")
        let interruption = Interruption(onFirstSignal: { job.cancel() })
        let summary: TilingSummary
        do {
            defer {
                interruption.stopListening()
                bar.finish()
            }
            summary = try job.run { bar.update(completed: $0.completedTiles, total: $0.totalTiles) }
        } catch TilingError.cancelled {
            throw Interrupted(signal: interruption.signal ?? SIGINT)
        } catch TilingError.duplicateInput(let path) {
            throw UsageError(description: TilingError.duplicateInput(path).description)
        } catch let error as GeoRasterError where error.code == .unnamedBands && options.bandNames != nil {
            throw UsageError(description: error.description)
        }
        for scene in summary.allInvalidScenes { console.logger.warning("scene '\(scene)' has no valid pixel; it gave no tiles") }
        for failure in summary.failedScenes { console.logger.warning("skipped scene '\(failure.scene)': \(failure.reason)") }
        if summary.tilesInManifest == 0, let shard = options.shard {
            console.logger.warning("shard \(shard) wrote no tiles; its manifest is empty")
        }

        var notes: [String] = []
        if summary.scenesResumed > 0 { notes.append("\(summary.scenesResumed) finished by an earlier run") }
        if !summary.failedScenes.isEmpty { notes.append("\(summary.failedScenes.count) failed") }
        console.print("scenes: \(summary.sceneCount)" + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"))
        console.print("tiles in manifest: \(summary.tilesInManifest) (written \(summary.tilesWritten), present from an earlier run \(summary.tilesAlreadyPresent + summary.tilesFromResumedScenes))")
        console.print("tiles skipped as more than \(options.maxInvalidFraction) invalid: \(summary.tilesSkippedInvalid)")
        console.print("manifest: \(summary.manifestPath)")
        if let failedScenesPath = summary.failedScenesPath {
            throw ScenesFailed(description: "\(summary.failedScenes.count) of \(summary.sceneCount) scenes failed and were skipped; see '\(failedScenesPath)', fix them and run again")
        }
    }
}

/// `shoreline merge-manifests DIR`: joins shard manifests.
enum MergeManifestsCommand {
    static let spec = CommandSpec(
        name: "merge-manifests",
        summary: "Join the shard manifests DIR/manifest.shard-I-of-N.csv into DIR/manifest.csv.",
        usage: "DIR",
        discussion: "Run it once every shard of 'shoreline tile --shard I/N --output DIR' has finished; it fails when a shard is missing.",
        options: [])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        guard arguments.positionals.count == 1 else {
            throw UsageError(description: "merge-manifests takes one DIR, got \(arguments.positionals.count); run 'shoreline merge-manifests --help'")
        }
        let folder = arguments.positionals[0]
        guard FileManager.default.fileExists(atPath: folder) else { throw TilingError.inputNotFound(folder) }
        let count = try Manifest.mergeShards(in: folder)
        console.print("merged \(count) tiles into \((folder as NSString).appendingPathComponent(Manifest.fileName))")
    }
}

/// Returns a count with its noun, such as `1 scene` or `3 scenes`.
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
