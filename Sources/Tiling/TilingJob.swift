import Foundation
import GeoRaster

/// A job that cuts scenes into tiles with their labels and writes
/// `images/`, `labels/`, a manifest part per scene in `parts/`, and
/// `manifest.csv` (or `manifest.shard-I-of-N.csv` for a shard).
///
/// Image tiles are tiled GeoTIFFs in the scene's data type and band order,
/// with band names as descriptions. In tiles with invalid pixels, an
/// internal mask band (GDAL's dataset mask: 0 invalid, 255 valid) marks
/// padding, nodata and fill. Fully valid tiles have none and read as all
/// valid. Invalid samples contain the scene's nodata value, or 0 when it has none.
/// Label tiles are one UInt8 band of `SurfaceClass` values with nodata 0
/// (`invalid`), which also covers padding and invalid image pixels.
///
/// Each file is written under a temporary name and renamed, and a scene's
/// part is written after its last tile, so a re-run skips finished scenes
/// and tiles and never reads a half-written file. A re-run trusts a tile only
/// when its file opens and holds all its blocks, and removes the hidden
/// `.<name>.partial-*` files a killed run left of the scenes it tiles (not
/// of other scenes, which shards sharing the folder may be writing).
///
/// When tiles read blocks that other tiles read again (a stripped scene,
/// overlapping tiles), the job raises GDAL's block cache above the requested
/// size as needed (see `GDALLibrary.raiseBlockCache`), so that one row of
/// blocks per worker stays cached. Peak memory stays flat in the scene
/// size when the workers share one malloc arena, which a process sets with
/// `MallocArenas.limit(to: 1)` before it starts any thread.
public final class TilingJob: @unchecked Sendable {
    public let pairs: [ScenePair]
    public let outputFolder: String
    public let options: TilingOptions
    private let cancellation = NSLock()
    private var isCancelled = false

    /// Creates a job over scene pairs (see `ScenePairing.discover`).
    public init(pairs: [ScenePair], outputFolder: String, options: TilingOptions) {
        precondition(options.workers >= 1, "workers must be at least 1, got \(options.workers)")
        self.pairs = pairs
        self.outputFolder = outputFolder
        self.options = options
    }

    var imagesFolder: String { (outputFolder as NSString).appendingPathComponent("images") }
    var labelsFolder: String { (outputFolder as NSString).appendingPathComponent("labels") }
    var partsFolder: String { (outputFolder as NSString).appendingPathComponent("parts") }

    /// Asks a running job to stop: workers finish the tile in hand, then
    /// `run` removes this run's partial files and throws
    /// `TilingError.cancelled`. Safe to call from any thread, such as a
    /// signal handler's queue.
    public func cancel() {
        cancellation.lock()
        isCancelled = true
        cancellation.unlock()
    }

    var wasCancelled: Bool {
        cancellation.lock()
        defer { cancellation.unlock() }
        return isCancelled
    }

    /// Runs the job.
    ///
    /// Every scene and label is opened and checked before the output
    /// folders are made and the first tile is written, so a mismatched
    /// label stops the job with nothing written. Under
    /// `SceneErrorPolicy.skip`, a failed scene is left out instead and
    /// listed in `failed-scenes.csv`.
    /// - Parameter progress: called after each tile, from worker threads,
    ///   one call at a time.
    /// - Throws: `TilingError` or `GeoRasterError`; `TilingError.noTiles`
    ///   when no tile passes the invalid-fraction filter and no scene
    ///   failed, unless the job is one shard of many; `TilingError.cancelled`
    ///   after `cancel()`.
    public func run(progress: @escaping (TilingProgress) -> Void = { _ in }) throws -> TilingSummary {
        guard !pairs.isEmpty else { throw TilingError.noScenes }
        try checkSceneNames(pairs)
        try checkOutputCanBeCreated()
        let selected = options.shard.map { $0.select(pairs, name: { $0.scene.name }) } ?? pairs

        // Open and check every scene before writing anything.
        var summary = TilingSummary()
        summary.sceneCount = selected.count
        var scenes: [PreparedScene] = []
        for pair in selected {
            if wasCancelled { throw TilingError.cancelled }
            do {
                scenes.append(try PreparedScene(pair: pair, options: options))
            } catch where isSceneFailure(error) {
                summary.failedScenes.append(SceneFailure(scene: pair.scene.description, reason: String(describing: error)))
            }
        }
        try createOutputFolders()
        // An unsharded run takes the folder lock exclusively. Shards take it
        // shared, so they exclude an unsharded run, and each also locks its shard.
        let folderLock = try OutputLock(folder: outputFolder, name: ".tile.lock", shared: options.shard != nil)
        defer { folderLock.release() }
        let shardLock = try options.shard.map {
            try OutputLock(folder: outputFolder, name: ".tile-shard-\($0.index)-of-\($0.count).lock")
        }
        defer { shardLock?.release() }

        // Workers may be on different tile rows, so the cache holds one row of
        // shared blocks per worker. With less, a 10980 px stripped scene cut by
        // 2 workers re-decoded its strips and took 1.5 x the CPU time.
        let sharedBlockBytes = (scenes.map(\.sharedBlockRowBytes).max() ?? 0) * options.workers
        if sharedBlockBytes > 0 {
            GDALLibrary.raiseBlockCache(toAtLeast: sharedBlockBytes + sharedBlockBytes / 8)
        }
        try checkOptionsMatchEarlierRun()
        removePartialFiles(of: selected.map(\.scene.name))

        // A scene is finished when its part exists and lists intact tiles.
        var pending: [PreparedScene] = []
        for scene in scenes {
            if partListsIntactTiles(scene) {
                summary.scenesResumed += 1
            } else {
                try? FileManager.default.removeItem(atPath: partPath(scene.name))
                pending.append(scene)
            }
        }

        // Cut the pending scenes' tiles on the worker threads.
        // Threads rather than `concurrentPerform`, which caps parallelism at
        // the core count, while tile writing also waits on I/O.
        let state = JobState(scenes: pending)
        let finished = DispatchGroup()
        for _ in 0..<options.workers {
            finished.enter()
            let thread = Thread {
                self.work(state: state, progress: progress)
                finished.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        finished.wait()
        if wasCancelled {
            removePartialFiles(of: selected.map(\.scene.name))
            throw TilingError.cancelled
        }
        if let error = state.firstError { throw error }
        summary.tilesWritten = state.tilesWritten
        summary.tilesAlreadyPresent = state.tilesAlreadyPresent
        summary.tilesSkippedInvalid = state.tilesSkippedInvalid
        summary.allInvalidScenes = state.allInvalidScenes.sorted()
        summary.failedScenes += state.failedScenes
        summary.failedScenes.sort { $0.scene < $1.scene }
        let failedNames = Set(state.failedSceneNames)

        // Join the finished scenes' parts into the manifest.
        var rows: [ManifestRow] = []
        for scene in scenes where !failedNames.contains(scene.name) {
            let sceneRows = try Manifest.read(partPath(scene.name))
            if !pending.contains(where: { $0.name == scene.name }) { summary.tilesFromResumedScenes += sceneRows.count }
            rows += sceneRows
        }
        summary.failedScenesPath = try writeFailedScenes(summary.failedScenes)
        // A shard may hold no scene, or only invalid ones: its empty manifest
        // still lets the merge step see that it finished.
        if rows.isEmpty, options.shard == nil, summary.failedScenes.isEmpty {
            throw TilingError.noTiles(reason: noTilesReason(summary: summary, scenes: scenes))
        }
        let manifestName = options.shard?.manifestName ?? Manifest.fileName
        summary.manifestPath = (outputFolder as NSString).appendingPathComponent(manifestName)
        try Manifest.write(rows, to: summary.manifestPath)
        return summary
    }

    // MARK: - Steps

    /// Rejects a scene given twice, and scenes of one name, whose tiles
    /// would overwrite each other. Checks every pair, not only this
    /// shard's, because the two may fall into different shards.
    private func checkSceneNames(_ pairs: [ScenePair]) throws {
        var seen: [String: String] = [:]
        for pair in pairs {
            if let first = seen[pair.scene.name] {
                if TilingJob.canonicalPath(first) == TilingJob.canonicalPath(pair.scene.description) {
                    throw TilingError.duplicateInput(pair.scene.description)
                }
                throw TilingError.duplicateSceneName(pair.scene.name, first: first, second: pair.scene.description)
            }
            seen[pair.scene.name] = pair.scene.description
        }
    }

    static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Rejects an output path that names a file or lies under one, or
    /// whose nearest existing folder cannot be written, before the scenes
    /// are opened. It creates nothing, so a failed check leaves no folder.
    private func checkOutputCanBeCreated() throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: outputFolder, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw TilingError.outputIsFile(outputFolder)
        }
        var ancestor = URL(fileURLWithPath: outputFolder).standardizedFileURL.path
        while !fileManager.fileExists(atPath: ancestor, isDirectory: &isDirectory), ancestor != "/" {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        guard isDirectory.boolValue else {
            throw TilingError.outputUnderFile(outputFolder, file: ancestor)
        }
        guard access(ancestor, W_OK) == 0 else {
            throw TilingError.unwritableOutput(outputFolder, reason: "cannot write into '\(ancestor)'")
        }
    }

    /// Creates the output folders and checks that they can be written.
    private func createOutputFolders() throws {
        let fileManager = FileManager.default
        do {
            for folder in [outputFolder, imagesFolder, labelsFolder, partsFolder] {
                try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
        } catch {
            throw TilingError.unwritableOutput(outputFolder, reason: OutputPath.creationFailureReason(outputFolder, error: error))
        }
        let probe = (partsFolder as NSString).appendingPathComponent(".write-check-\(UUID().uuidString.prefix(8))")
        guard fileManager.createFile(atPath: probe, contents: Data()) else {
            throw TilingError.unwritableOutput(outputFolder, reason: "permission denied")
        }
        try? fileManager.removeItem(atPath: probe)
    }

    /// Stores the options that decide tile contents and each scene's label
    /// file, or checks them against those of an earlier run that left tiles
    /// in the folder.
    ///
    /// `tiling-options.txt` contains the options on its first line, then a line
    /// per scene: `scene NAME: label FILE` or `scene NAME: no label`. Every
    /// shard records all scenes, so concurrent shards write the same text.
    private func checkOptionsMatchEarlierRun() throws {
        let fileManager = FileManager.default
        let optionsPath = (outputFolder as NSString).appendingPathComponent("tiling-options.txt")
        let signature = options.contentSignature
        let previousLines = ((try? String(contentsOfFile: optionsPath, encoding: .utf8)) ?? "")
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let previous = previousLines.first
        let hasEarlierTiles = !((try? fileManager.contentsOfDirectory(atPath: imagesFolder)) ?? [])
            .filter { !$0.hasPrefix(".") }.isEmpty
        if let previous, previous != signature, hasEarlierTiles {
            throw TilingError.optionsChanged(folder: outputFolder, previous: "'\(previous)'", current: "'\(signature)'")
        }
        if let previous, previous != signature {
            // Parts of an earlier run that wrote no tiles describe other
            // options, so they must not mark scenes as finished.
            for name in (try? fileManager.contentsOfDirectory(atPath: partsFolder)) ?? [] where name.hasSuffix(".csv") {
                try? fileManager.removeItem(atPath: (partsFolder as NSString).appendingPathComponent(name))
            }
        }

        // Compare each scene's label with the earlier run's.
        var records: [String: String] = [:]
        if previous == signature {
            for line in previousLines.dropFirst() {
                guard line.hasPrefix("scene "), let colon = line.range(of: ": ", options: .backwards) else { continue }
                records[String(line[line.index(line.startIndex, offsetBy: 6)..<colon.lowerBound])] = String(line[colon.upperBound...])
            }
        }
        for pair in pairs {
            let current = pair.label.map { "label " + ($0 as NSString).lastPathComponent } ?? "no label"
            if let earlier = records[pair.scene.name], earlier != current, hasEarlierTiles {
                throw TilingError.labelPairingChanged(folder: outputFolder, scene: pair.scene.name,
                                                      previous: TilingJob.labelPhrase(earlier),
                                                      current: TilingJob.labelPhrase(current))
            }
            records[pair.scene.name] = current
        }

        let text = ([signature] + records.keys.sorted().map { "scene \($0): \(records[$0]!)" }).joined(separator: "\n") + "\n"
        if previousLines.joined(separator: "\n") + "\n" != text {
            let temporary = (outputFolder as NSString).appendingPathComponent(".tiling-options.txt.partial-\(UUID().uuidString.prefix(8))")
            do {
                try text.write(toFile: temporary, atomically: false, encoding: .utf8)
                guard rename(temporary, optionsPath) == 0 else { throw CocoaError(.fileWriteUnknown) }
            } catch {
                try? fileManager.removeItem(atPath: temporary)
                throw TilingError.unwritableOutput(outputFolder, reason: "cannot write tiling-options.txt")
            }
        }
    }


    func partPath(_ scene: String) -> String {
        (partsFolder as NSString).appendingPathComponent(scene + ".csv")
    }

    private func noTilesReason(summary: TilingSummary, scenes: [PreparedScene]) -> String {
        if summary.allInvalidScenes.count == scenes.count {
            let names = summary.allInvalidScenes.map { "'\($0)'" }.joined(separator: ", ")
            return "every pixel of \(names) is invalid (nodata, 0 in all bands, or masked); check the scene and its nodata value"
        }
        let percent = Manifest.format(options.maxInvalidFraction * 100).prefix { $0 != "." }
        let reason = "all \(summary.tilesSkippedInvalid) tiles are more than \(percent) % invalid"
        // A scene thinner than a tile in either direction fills at most that
        // fraction of each tile, as with a 1 x N strip.
        let shortSides = scenes.map { min($0.sceneWindow.width, $0.sceneWindow.height) }
        if let largest = shortSides.max(), largest < options.tileSize {
            return reason + " because no scene is \(options.tileSize) px in both width and height (the largest shorter side is \(largest) px); pass --size \(largest) or less, or raise --max-invalid"
        }
        return reason + "; raise --max-invalid or check the scenes' nodata values"
    }

    /// Takes tiles from the shared list until it is empty, a worker fails
    /// or the job is cancelled.
    private func work(state: JobState, progress: (TilingProgress) -> Void) {
        var openScene: (index: Int, cutter: TileCutter)?
        while !wasCancelled, let item = state.next() {
            do {
                if openScene?.index != item.scene {
                    openScene = nil
                    openScene = (item.scene, try TileCutter(scene: state.scenes[item.scene], job: self))
                }
                let outcome = try openScene!.cutter.cut(tile: item.tile)
                state.finish(item: item, outcome: outcome, job: self, progress: progress)
            } catch where isSceneFailure(error) {
                state.failScene(item.scene, error: error, progress: progress)
            } catch {
                state.fail(error)
            }
        }
    }
}

/// The work list and results shared by a job's worker threads.
final class JobState: @unchecked Sendable {
    let scenes: [PreparedScene]
    private let lock = NSLock()
    private var nextScene = 0
    private var nextTile = 0
    private var rows: [[ManifestRow]]
    private var finishedTiles: [Int]
    private var validPixelsSeen: [Bool]
    private var completed = 0
    let totalTiles: Int
    private(set) var firstError: Error?
    /// Per scene, so that a failed scene's tiles drop out of the totals.
    private var written: [Int]
    private var alreadyPresent: [Int]
    private(set) var tilesSkippedInvalid = 0
    private(set) var allInvalidScenes: [String] = []
    private var failedSceneIndices: [Int: String] = [:]

    init(scenes: [PreparedScene]) {
        self.scenes = scenes
        rows = scenes.map { _ in [] }
        finishedTiles = scenes.map { _ in 0 }
        written = scenes.map { _ in 0 }
        alreadyPresent = scenes.map { _ in 0 }
        validPixelsSeen = scenes.map { _ in false }
        totalTiles = scenes.reduce(0) { $0 + $1.windows.count }
    }

    /// Returns the next tile to cut, scene by scene, or nil when none is left
    /// or a worker failed.
    func next() -> (scene: Int, tile: Int)? {
        lock.lock()
        defer { lock.unlock() }
        guard firstError == nil else { return nil }
        while nextScene < scenes.count,
              nextTile >= scenes[nextScene].windows.count || failedSceneIndices[nextScene] != nil {
            nextScene += 1
            nextTile = 0
        }
        guard nextScene < scenes.count else { return nil }
        defer { nextTile += 1 }
        return (nextScene, nextTile)
    }

    func fail(_ error: Error) {
        lock.lock()
        if firstError == nil { firstError = error }
        lock.unlock()
    }

    /// Leaves a scene out after its error: its remaining tiles are not
    /// handed out, count as done for progress, and its part is never written.
    func failScene(_ scene: Int, error: Error, progress: (TilingProgress) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        completed += 1
        if failedSceneIndices[scene] == nil {
            failedSceneIndices[scene] = String(describing: error)
            let handedOut = scene < nextScene ? scenes[scene].windows.count : (scene == nextScene ? nextTile : 0)
            completed += scenes[scene].windows.count - handedOut
            rows[scene] = []
        }
        progress(TilingProgress(completedTiles: completed, totalTiles: totalTiles))
    }

    /// Tiles written in this run, of scenes that did not fail.
    var tilesWritten: Int {
        lock.lock()
        defer { lock.unlock() }
        return written.indices.filter { failedSceneIndices[$0] == nil }.reduce(0) { $0 + written[$1] }
    }

    /// Tiles an earlier run had written, of scenes that did not fail.
    var tilesAlreadyPresent: Int {
        lock.lock()
        defer { lock.unlock() }
        return alreadyPresent.indices.filter { failedSceneIndices[$0] == nil }.reduce(0) { $0 + alreadyPresent[$1] }
    }

    /// The scenes left out, with their errors.
    var failedScenes: [SceneFailure] {
        lock.lock()
        defer { lock.unlock() }
        return failedSceneIndices.map { SceneFailure(scene: scenes[$0.key].pair.scene.description, reason: $0.value) }
    }

    var failedSceneNames: [String] {
        lock.lock()
        defer { lock.unlock() }
        return failedSceneIndices.keys.map { scenes[$0].name }
    }

    /// Records a cut tile; after a scene's last tile, writes its part.
    func finish(item: (scene: Int, tile: Int), outcome: TileOutcome, job: TilingJob, progress: (TilingProgress) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        switch outcome {
        case .written(let row):
            rows[item.scene].append(row)
            written[item.scene] += 1
        case .alreadyPresent(let row):
            rows[item.scene].append(row)
            alreadyPresent[item.scene] += 1
        case .skipped:
            tilesSkippedInvalid += 1
        }
        if outcome.hasValidPixels { validPixelsSeen[item.scene] = true }
        finishedTiles[item.scene] += 1
        completed += 1

        let scene = scenes[item.scene]
        if finishedTiles[item.scene] == scene.windows.count, failedSceneIndices[item.scene] == nil {
            if !validPixelsSeen[item.scene] { allInvalidScenes.append(scene.name) }
            let sorted = rows[item.scene].sorted { $0.tileID < $1.tileID }
            do {
                try Manifest.write(sorted, to: job.partPath(scene.name))
            } catch {
                if firstError == nil { firstError = error }
            }
            rows[item.scene] = []
        }
        progress(TilingProgress(completedTiles: completed, totalTiles: totalTiles))
    }
}
