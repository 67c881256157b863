import Foundation
import Testing
import TestSupport
@testable import ShorelineCLI

@Suite struct TrainInfoSegCommandTests {
    let scratch = try! ScratchFolder(prefix: "train-infoseg")

    /// Writes a 3-band 32 x 32 scene with a bright left half.
    func scene() throws -> String {
        try writeScene(scratch.file("scene.tif"), width: 32, height: 32, bandNames: ["B3", "B8", "B11"]) { band, row, column in
            UInt16(column < 16 ? 800 + 100 * band : 2000 - 300 * band) + UInt16((row * 7 + column * 3) % 50)
        }.path
    }

    /// Tiny settings so that a run takes well under a second.
    let tiny = ["--method", "infoseg", "--width", "2", "--feature-channels", "4", "--crop", "16", "--batch", "2", "--threads", "1"]

    @Test func trainsResumesAndStoresSettings() throws {
        let input = try scene(), run = scratch.file("run").path
        let first = runShoreline(["train", "--input", input, "--output", run, "--steps", "2", "--temperature", "0.2",
                                  "--marginal-weight", "0.5", "--same-view", "--jitter-gain", "shared"] + tiny)
        #expect(first.exitCode == 0, "\(first.diagnostics)")
        #expect(first.output.first?.hasPrefix("steps: 1 to 2 in ") == true)
        let resumed = runShoreline(["train", "--input", input, "--output", run, "--steps", "3", "--temperature", "0.2",
                                    "--marginal-weight", "0.5", "--same-view", "--jitter-gain", "shared", "--resume"] + tiny)
        #expect(resumed.exitCode == 0, "\(resumed.diagnostics)")
        #expect(resumed.output.first?.hasPrefix("steps: 3 to 3 in ") == true)

        let configuration = try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
        #expect(configuration.contains("\"method\" : \"infoseg\""))
        #expect(configuration.contains("\"temperature\" : 0.2"))
        #expect(configuration.contains("\"cross_view\" : false"))
        #expect(configuration.contains("\"shared_gain\" : true"))
        let lines = try String(contentsOfFile: "\(run)/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains("\"mutual_information\""))
    }

    /// Reads the run's `config.json` as text.
    func configuration(_ run: String) throws -> String {
        try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
    }

    @Test func defaultsAreTheSettingsForWater() throws {
        let run = scratch.file("run").path
        let result = runShoreline(["train", "--input", try scene(), "--output", run, "--steps", "1"] + tiny)
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let stored = try configuration(run)
        #expect(stored.contains("\"other_view_positives\" : true"))
        #expect(stored.contains("\"image_negatives\" : false"))
        #expect(stored.contains("\"shared_gain\" : true"))
        #expect(stored.contains("\"input_scale\" : \"spectral-shape\""))
    }

    @Test func subHeadsAreTrainedAndTheKeptOneIsReported() throws {
        let run = scratch.file("run").path
        let result = runShoreline(["train", "--input", try scene(), "--output", run, "--steps", "2", "--sub-heads", "3",
                                   "--kernel-size", "1", "--trunk-pool", "--statistics-batches", "1"] + tiny)
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let stored = try configuration(run)
        #expect(stored.contains("\"sub_heads\" : 3"))
        #expect(stored.contains("\"kernel_size\" : 1"))
        #expect(stored.contains("\"pool\" : true"))
        let keptLine = try #require(result.output.first { $0.hasPrefix("main head: kept sub-head ") })
        #expect(keptLine.contains("the highest agreement between the two views (mutual information of their classes) of "))
        #expect(keptLine.hasSuffix("nats; it is now stored first"))
        // The run loads for segmentation with its sub-heads.
        let segments = scratch.file("segments").path
        let segmented = runShoreline(["segment", "--model", run, "--output", segments, try scene()])
        #expect(segmented.exitCode == 0, "\(segmented.diagnostics)")
    }

    @Test func referenceObjectiveIsReachableByOptions() throws {
        let run = scratch.file("run").path
        let result = runShoreline(["train", "--input", try scene(), "--output", run, "--steps", "1", "--positives", "own-view",
                                   "--negatives", "batch", "--jitter-gain", "per-band", "--input-scale", "linear"] + tiny)
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let stored = try configuration(run)
        #expect(stored.contains("\"other_view_positives\" : false"))
        #expect(stored.contains("\"image_negatives\" : true"))
        #expect(stored.contains("\"shared_gain\" : false"))
        #expect(stored.contains("\"input_scale\" : \"linear\""))
    }

    @Test(arguments: [
        (["--positives", "same"], "error: option '--positives' must be own-view or other-view, got 'same'; run 'shoreline train --help'"),
        (["--negatives", "all"], "error: option '--negatives' must be batch or own-image, got 'all'; run 'shoreline train --help'"),
        (["--overclusters", "4"], "error: option '--overclusters' applies to --method iic only; drop it or use --method iic"),
        (["--displacement", "2"], "error: option '--displacement' applies to --method iic only; drop it or use --method iic"),
        (["--sub-heads", "0"], "error: option '--sub-heads' needs a whole number from 1 to 64, got '0'; run 'shoreline train --help'"),
        (["--kernel-size", "2"], "error: option '--kernel-size' must be 1 or 3, got '2'; run 'shoreline train --help'"),
        (["--temperature", "0"], "error: option '--temperature' needs a number from 0.001 to 100.0, got '0'; run 'shoreline train --help'"),
        (["--segmentation-scale", "0"], "error: option '--segmentation-scale' needs a number from 0.01 to 1000.0, got '0'; run 'shoreline train --help'"),
    ])
    func badOptionIsAUsageError(arguments: [String], message: String) throws {
        let run = scratch.file("run").path
        let result = runShoreline(["train", "--input", try scene(), "--output", run, "--steps", "1"] + tiny + arguments)
        #expect(result.exitCode == 2)
        #expect(result.errors == [message])
        #expect(!FileManager.default.fileExists(atPath: run))
    }

    @Test(arguments: [
        (["--positives", "own-view"], "error: option '--positives' applies to --method infoseg only; drop it or use --method infoseg"),
        (["--temperature", "0.2"], "error: option '--temperature' applies to --method infoseg only; drop it or use --method infoseg"),
        (["--same-view"], "error: option '--same-view' applies to --method infoseg only; drop it or use --method infoseg"),
    ])
    func infoSegOptionIsRejectedForIIC(arguments: [String], message: String) throws {
        let run = scratch.file("run").path
        let result = runShoreline(["train", "--method", "iic", "--input", try scene(), "--output", run, "--steps", "1",
                                   "--width", "2", "--crop", "16", "--batch", "2"] + arguments)
        #expect(result.exitCode == 2)
        #expect(result.errors == [message])
        #expect(!FileManager.default.fileExists(atPath: run))
    }

    @Test func helpListsTheInfoSegOptions() {
        let result = runShoreline(["train", "--help"])
        #expect(result.exitCode == 0)
        for option in ["iic or infoseg", "--feature-channels", "--segmentation-scale", "--temperature", "--marginal-weight", "--same-view", "--positives", "--negatives", "shared for infoseg"] {
            #expect(result.output.contains { $0.contains(option) }, "help lacks '\(option)'")
        }
    }
}
