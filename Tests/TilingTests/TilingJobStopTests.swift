import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import Tiling

/// Jobs that stop early: cancelled, or left with scenes that fail.
@Suite struct TilingJobStopTests {
    let scratch = try! ScratchFolder(prefix: "tiling-stop")

    func variedScene(_ name: String, width: Int = 256, height: Int = 256) throws -> URL {
        try SceneFixtures.write(scratch.file(name), width: width, height: height, bandNames: ["B3", "B8"]) { band, row, column in
            UInt16(truncatingIfNeeded: 1 + band * 7919 + row * 977 + column * 131)
        }
    }

    func hiddenFiles(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.file(folder).path)) ?? []).filter { $0.hasPrefix(".") }
    }

    @Test func cancelledJobLeavesNoPartialFilesAndResumes() throws {
        let scene = try variedScene("c.tif")
        var options = TilingOptions()
        options.tileSize = 32
        options.workers = 2
        let pairs = [ScenePair(scene: .file(scene.path), label: nil)]
        let job = TilingJob(pairs: pairs, outputFolder: scratch.file("out").path, options: options)
        let error = #expect(throws: TilingError.self) {
            try job.run { progress in if progress.completedTiles == 3 { job.cancel() } }
        }
        #expect(error == .cancelled)
        #expect(hiddenFiles(in: "out/images").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/parts/c.csv").path))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/manifest.csv").path))

        let resumed = try TilingJob(pairs: pairs, outputFolder: scratch.file("out").path, options: options).run()
        #expect(resumed.tilesAlreadyPresent >= 3)
        #expect(resumed.tilesAlreadyPresent + resumed.tilesWritten == 64)
    }

    @Test func sceneThatFailsWhileReadingIsSkipped() throws {
        let good = try variedScene("good.tif", width: 64, height: 64)
        let whole = try variedScene("whole.tif", width: 600, height: 600)
        let bytes = try Data(contentsOf: whole)
        let broken = scratch.file("broken.tif")
        try bytes.prefix(bytes.count / 2).write(to: broken)
        var options = TilingOptions()
        options.tileSize = 64
        options.onError = .skip
        let pairs = [ScenePair(scene: .file(broken.path), label: nil), ScenePair(scene: .file(good.path), label: nil)]
        let last = LastProgress()
        let summary = try TilingJob(pairs: pairs, outputFolder: scratch.file("out").path, options: options).run { last.record($0) }
        #expect(summary.failedScenes.map(\.scene) == [broken.path])
        #expect(summary.tilesWritten == 1, "tiles of the failed scene are not counted")
        #expect(summary.tilesInManifest == 1)
        #expect(last.value.map { $0.completedTiles == $0.totalTiles } == true, "progress reaches its total")
        #expect(summary.failedScenes.first?.reason.contains("'\(broken.path)'") == true)
        #expect(try Manifest.read(summary.manifestPath).map(\.scene) == ["good"])
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/parts/broken.csv").path))
        #expect(summary.failedScenesPath == scratch.file("out/failed-scenes.csv").path)
    }

    @Test func writeFailuresStopEvenWhenSkipping() throws {
        let scene = try variedScene("w.tif", width: 16, height: 16)
        // A folder where the tile file goes makes its final rename fail.
        let tile = scratch.file("out/images/w_r00000_c00000.tif")
        try FileManager.default.createDirectory(at: tile, withIntermediateDirectories: true)
        var options = TilingOptions()
        options.tileSize = 16
        options.onError = .skip
        let error = #expect(throws: GeoRasterError.self) {
            try TilingJob(pairs: [ScenePair(scene: .file(scene.path), label: nil)],
                          outputFolder: scratch.file("out").path, options: options).run()
        }
        #expect(error?.code == .writeFailed)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/failed-scenes.csv").path))
    }

    @Test func outputUnderAFileIsRejectedFirst() throws {
        let scene = try variedScene("u.tif", width: 16, height: 16)
        let blocker = scratch.file("file-not-folder")
        try Data().write(to: blocker)
        let error = #expect(throws: TilingError.self) {
            try TilingJob(pairs: [ScenePair(scene: .file(scene.path), label: nil)],
                          outputFolder: blocker.appendingPathComponent("out").path, options: TilingOptions()).run()
        }
        #expect(error == .outputUnderFile(blocker.appendingPathComponent("out").path, file: blocker.path))
    }

    @Test(arguments: [
        (".s_r00000_c00512.tif.partial-1a2b3c4d", "s", true),
        (".s.csv.partial-1a2b3c4d", "s", true),
        (".s_2_r00000_c00000.tif.partial-1a2b3c4d", "s", false),
        (".s_2_r00000_c00000.tif.partial-1a2b3c4d", "s_2", true),
        (".t.csv.partial-1a2b3c4d", "s", false),
        ("s_r00000_c00000.tif", "s", false),
        (".manifest.csv.partial-1a2b3c4d", "s", true),
        (".manifest.shard-0-of-2.csv.partial-1a2b3c4d", "s", false),
    ])
    func partialFilesBelongToTheirScenes(file: String, scene: String, removed: Bool) throws {
        let output = scratch.file("out")
        let folder = output.appendingPathComponent(file.contains("manifest") ? "" : (file.contains(".csv") ? "parts" : "images"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data([1]).write(to: folder.appendingPathComponent(file))
        TilingJob(pairs: [], outputFolder: output.path, options: TilingOptions()).removePartialFiles(of: [scene])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) == !removed)
    }
}

/// The last progress report of a job, recorded from its worker threads.
final class LastProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var last: TilingProgress?

    func record(_ progress: TilingProgress) {
        lock.lock()
        last = progress
        lock.unlock()
    }

    var value: TilingProgress? {
        lock.lock()
        defer { lock.unlock() }
        return last
    }
}
