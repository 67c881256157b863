import Foundation
import GeoRaster
import Testing
import TestSupport
@testable import ShorelineCLI

/// `train` for two steps, then `segment` and `evaluate` on its run.
@Suite struct SegmentCommandTests {
    let scratch = try! ScratchFolder(prefix: "cli-segment")

    /// Writes a 70 x 50 scene (not a multiple of the window) whose left part is water.
    func writeLakeScene() throws -> URL {
        let water: [UInt16] = [600, 800, 500, 200, 100, 80]
        let land: [UInt16] = [500, 700, 600, 3000, 2500, 1800]
        return try writeScene(scratch.file("scenes/lake.tif"), width: 70, height: 50,
                              bandNames: ["B2", "B3", "B4", "B8", "B11", "B12"]) { band, row, column in
            (column + row / 3 < 30 ? water[band] : land[band]) + UInt16((row * 5 + column * 3) % 17)
        }
    }

    func train(_ scene: URL) throws -> String {
        let run = scratch.file("run").path
        let result = runShoreline(["train", "--method", "iic", "--input", scene.path, "--output", run, "--steps", "2",
                                   "--batch", "1", "--crop", "32", "--width", "4", "--overclusters", "0"])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        return run
    }

    @Test func outputsMatchTheScenesGrid() throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        let scene = try writeLakeScene()
        let run = try train(scene)
        let output = scratch.file("masks").path
        let result = runShoreline(["segment", "--model", run, "--output", output, "--window", "32", scene.path])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        #expect(result.output.count == 1)
        #expect(result.output.first?.hasPrefix("lake  clusters ") == true, "\(result.output)")

        let input = try Dataset(path: scene.path)
        for suffix in ["_clusters.tif", "_water.tif"] {
            let mask = try Dataset(path: output + "/lake" + suffix, allowUnnamedBands: true)
            #expect(mask.width == input.width)
            #expect(mask.height == input.height)
            #expect(mask.geoTransform == input.geoTransform)
            #expect(mask.spatialReference?.epsg == 32632)
            #expect(mask.bands[0].nodata == 255)
        }
        for suffix in ["_clusters.json", "_quicklook.png", "_overlay.png"] {
            #expect(FileManager.default.fileExists(atPath: output + "/lake" + suffix), "\(suffix) is written")
        }
        let clusters = try Dataset(path: output + "/lake_clusters.tif", allowUnnamedBands: true)
        let ids = Set(try clusters.read(window: clusters.fullWindow, as: UInt8.self,
                                        rule: ValidityRule(zeroInAllBandsIsInvalid: false)).samples)
        #expect(ids.isSubset(of: [0, 1, 2]), "the main head's 3 clusters, and no invalid pixel in this scene: \(ids.sorted())")
    }

    @Test func unknownHeadIsAUsageError() throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        let scene = try writeLakeScene()
        let run = try train(scene)
        let result = runShoreline(["segment", "--model", run, "--output", scratch.file("masks").path, "--head", "extra", scene.path])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: option '--head' must be one of main, got 'extra'; run 'shoreline segment --help'"])
    }

    /// `--checkpoint` loads another checkpoint of the run: a damaged final
    /// checkpoint fails, the step checkpoint beside it works, and a missing
    /// file is named.
    @Test func checkpointOptionChoosesFile() throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        let scene = try writeLakeScene()
        let run = try train(scene)
        let final = URL(fileURLWithPath: run + "/checkpoints/final.safetensors")
        try Data(try Data(contentsOf: final).prefix(100)).write(to: final)
        let output = scratch.file("masks").path

        let damaged = runShoreline(["segment", "--model", run, "--output", output, scene.path])
        #expect(damaged.exitCode == 1)
        let step = run + "/checkpoints/step-000002.safetensors"
        let chosen = runShoreline(["segment", "--model", run, "--checkpoint", step, "--output", output, scene.path])
        #expect(chosen.exitCode == 0, "\(chosen.diagnostics)")
        #expect(FileManager.default.fileExists(atPath: output + "/lake_water.tif"))
        let missing = runShoreline(["segment", "--model", run, "--checkpoint", run + "/nothing.safetensors", "--output", output, scene.path])
        #expect(missing.exitCode == 1)
        #expect(missing.errors == ["error: run '\(run)' cannot be loaded: checkpoint '\(run)/nothing.safetensors' does not exist; give a file of its checkpoints folder"])
    }

    /// A signal stops `segment` after a window row, with the exit code
    /// 128 + the signal, and leaves no mask and no staging file behind.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: InterruptionTests.executable.path), "needs the built shoreline executable"),
          arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")])
    func signalRemovesStagingFiles(signal: Int32, name: String) throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        let run = try train(try writeLakeScene())
        let big = try writeScene(scratch.file("big.tif"), width: 1024, height: 1024,
                                 bandNames: ["B2", "B3", "B4", "B8", "B11", "B12"]) { band, row, column in
            UInt16(300 + (band * 577 + row * 31 + column * 17) % 2000)
        }
        let output = scratch.file("masks-\(name)")
        let process = Process()
        process.executableURL = InterruptionTests.executable
        process.arguments = ["segment", "--model", run, "--output", output.path, "--window", "16", big.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()

        // Wait for the staging file of the cluster ids, so the signal lands while windows run.
        let deadline = Date().addingTimeInterval(60)
        while ((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []).filter({ $0.contains(".partial-") }).isEmpty,
              process.isRunning, Date() < deadline {
            usleep(20_000)
        }
        kill(process.processIdentifier, signal)
        let diagnostics = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 128 + signal, "\(diagnostics)")
        let lines = diagnostics.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
        #expect(lines.last == "error: interrupted by \(name); the masks of scenes finished before it are kept and partial files removed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0 != ".segment.lock" } == [])
    }

    @Test func oddWindowIsAUsageError() {
        let result = runShoreline(["segment", "--model", "RUN", "--output", "OUT", "--window", "33", "SCENE"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: option '--window' must be even, got '33'; run 'shoreline segment --help'"])
    }
}
