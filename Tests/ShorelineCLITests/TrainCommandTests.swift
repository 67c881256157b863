import Foundation
import Testing
import TestSupport
@testable import ShorelineCLI

@Suite struct TrainCommandTests {
    let scratch = try! ScratchFolder(prefix: "train")

    /// Writes a 3-band 32 x 32 scene with a bright left half.
    func scene(_ name: String = "scene.tif") throws -> String {
        try writeScene(scratch.file(name), width: 32, height: 32, bandNames: ["B3", "B8", "B11"]) { band, row, column in
            UInt16(column < 16 ? 800 + 100 * band : 2000 - 300 * band) + UInt16((row * 7 + column * 3) % 50)
        }.path
    }

    /// Tiny settings so that a run takes well under a second.
    let tiny = ["--width", "2", "--crop", "16", "--batch", "1", "--displacement", "1", "--overclusters", "4", "--threads", "1"]

    @Test func trainsAndResumes() throws {
        let input = try scene(), run = scratch.file("run").path
        let first = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--steps", "2"] + tiny)
        #expect(first.exitCode == 0, "\(first.diagnostics)")
        #expect(first.output.first?.hasPrefix("steps: 1 to 2 in ") == true)
        #expect(first.output.last == "log: \(run)/log.jsonl")
        let resumed = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--steps", "3", "--resume"] + tiny)
        #expect(resumed.exitCode == 0, "\(resumed.diagnostics)")
        #expect(resumed.output.first?.hasPrefix("steps: 3 to 3 in ") == true)
        let lines = try String(contentsOfFile: "\(run)/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains("\"mutual_information\""))
    }

    @Test(arguments: [
        (["--input", "/nonexistent/scene.tif"], "error: training input '/nonexistent/scene.tif' not found; check the path"),
        (["--bands", "B3,B9"], "error: band 'B9' is not in scene 'SCENE'; choose from B3,B8,B11"),
    ])
    func badInputIsARuntimeError(arguments: [String], message: String) throws {
        let input = try scene()
        let run = scratch.file("run").path
        let inputArguments = arguments.contains("--input") ? [] : ["--input", input]
        let result = runShoreline(["train", "--method", "iic", "--output", run, "--steps", "1"] + inputArguments + arguments + tiny)
        #expect(result.exitCode == 1)
        #expect(result.errors == [message.replacingOccurrences(of: "SCENE", with: input)])
        #expect(!FileManager.default.fileExists(atPath: run))
    }

    @Test func iicDefaultsReachTheConfiguration() throws {
        // The defaults measured best on the Sen1Floods11 chip and OMBRIA: a
        // per-pixel trunk on the spectral shape, T = 0, λ = 1.5 and a gain
        // jitter of ± 0.3 per band.
        let input = try scene(), run = scratch.file("run").path
        let result = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--steps", "1",
                                   "--width", "2", "--crop", "16", "--batch", "1", "--overclusters", "4"])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let text = try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
        for expected in ["\"kernel_size\" : 1", "\"displacement_radius\" : 0", "\"main_marginal_weight\" : 1.5",
                         "\"overclustering_marginal_weight\" : 1", "\"input_scale\" : \"spectral-shape\"",
                         "\"clusters\" : 3", "\"shared_gain\" : false", "\"gain_range\" : 0.3", "\"steps\" : 1"] {
            #expect(text.contains(expected), "config.json lacks \(expected)")
        }
    }

    @Test func infoSegKeepsItsOwnJitterAndScale() throws {
        let input = try scene(), run = scratch.file("run").path
        let result = runShoreline(["train", "--method", "infoseg", "--input", input, "--output", run, "--steps", "1",
                                   "--width", "2", "--crop", "16", "--batch", "1"])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let text = try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
        #expect(text.contains("\"gain_range\" : 0.1"))
        #expect(text.contains("\"shared_gain\" : true"))
        #expect(text.contains("\"input_scale\" : \"spectral-shape\""))
    }

    @Test func trunkAndJitterOptionsReachTheConfiguration() throws {
        let input = try scene(), run = scratch.file("run").path
        let result = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--steps", "1",
                                   "--kernel-size", "1", "--jitter-gain-range", "0.25", "--jitter-noise", "0.5"] + tiny)
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let text = try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
        #expect(text.contains("\"kernel_size\" : 1"))
        #expect(text.contains("\"gain_range\" : 0.25"))
        #expect(text.contains("\"noise_standard_deviation\" : 0.5"))
    }

    @Test func resumeKeepsStoredStepsAndRejectsChangedOptions() throws {
        let input = try scene(), run = scratch.file("run").path
        let first = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--steps", "3"] + tiny)
        #expect(first.exitCode == 0, "\(first.diagnostics)")

        // Without --steps the run keeps its 3 steps instead of the default 300.
        let again = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--resume"] + tiny)
        #expect(again.exitCode == 0, "\(again.diagnostics)")
        #expect(again.output.contains("steps: none to run; the run already reached step 3"))
        let text = try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
        #expect(text.contains("\"steps\" : 3"))

        let changed = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--resume",
                                    "--seed", "5", "--learning-rate", "0.01"] + tiny)
        #expect(changed.exitCode == 1)
        #expect(changed.errors == ["error: run folder '\(run)' cannot be resumed: it was trained with --seed 0, not 5; --learning-rate 0.0005, not 0.01; drop those options or start a new --output"])
    }

    @Test func resumeKeepsStoredMethodSettings() throws {
        let input = try scene(), run = scratch.file("run").path
        let first = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--steps", "2",
                                  "--trunk-pool", "--sub-heads", "2", "--jitter-gain", "shared"] + tiny)
        #expect(first.exitCode == 0, "\(first.diagnostics)")

        // None of the method options again: the run's own settings serve.
        let resumed = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--resume", "--steps", "3"])
        #expect(resumed.exitCode == 0, "\(resumed.diagnostics)")
        #expect(resumed.output.contains { $0.hasPrefix("steps: 3 to 3 in ") })

        let other = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--resume", "--steps", "4",
                                  "--sub-heads", "3"])
        #expect(other.exitCode == 1)
        #expect(other.errors == ["error: run folder '\(run)' cannot be resumed: it was trained with iic.sub_heads 2, not 3; give the options it was trained with or start a new --output"])
        // A rejected run prints only its error, not the line that starts training.
        #expect(!other.diagnostics.contains { $0.hasPrefix("training iic into") })
        #expect(resumed.diagnostics.contains { $0.hasPrefix("training iic into") })
    }

    @Test func existingOutputWithoutResumeIsRejected() throws {
        let input = try scene(), run = scratch.file("run").path
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let result = runShoreline(["train", "--method", "iic", "--input", input, "--output", run] + tiny)
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: run folder '\(run)' already exists; pass --resume to continue it or choose a new --output"])
    }

    @Test func resumeWithoutConfigurationIsRejected() throws {
        let input = try scene(), run = scratch.file("run").path
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let result = runShoreline(["train", "--method", "iic", "--input", input, "--output", run, "--resume"] + tiny)
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: run folder '\(run)' has no config.json to resume from; delete the folder and drop --resume to start a new run, or choose another --output"])
    }

    @Test(arguments: [
        (["--method", "kmeans"], "error: option '--method' must be iic or infoseg, got 'kmeans'; run 'shoreline train --help'"),
        ([], "error: option '--method NAME' is required; use --method iic"),
        (["--method", "iic", "--crop", "15"], "error: option '--crop' must be even, got '15'; run 'shoreline train --help'"),
        (["--method", "iic", "--overclusters", "1"], "error: option '--overclusters' must be 0 or at least 2, got '1'; run 'shoreline train --help'"),
        (["--method", "iic", "--input-scale", "sqrt"], "error: option '--input-scale' must be one of linear, logarithm, spectral-shape, got 'sqrt'; run 'shoreline train --help'"),
        (["--method", "iic", "--jitter-gain", "none"], "error: option '--jitter-gain' must be per-band or shared, got 'none'; run 'shoreline train --help'"),
        (["--method", "iic", "--head-schedule", "random"], "error: option '--head-schedule' must be summed or alternating, got 'random'; run 'shoreline train --help'"),
        (["--method", "iic", "--kernel-size", "2"], "error: option '--kernel-size' must be 1 or 3, got '2'; run 'shoreline train --help'"),
        (["--method", "iic", "--jitter-noise", "-0.1"], "error: option '--jitter-noise' needs a number from 0.0 to 10.0, got '-0.1'; run 'shoreline train --help'"),
        (["--method", "iic", "--steps", "0"], "error: option '--steps' needs a whole number from 1 to 10000000, got '0'; run 'shoreline train --help'"),
    ])
    func badOptionIsAUsageError(arguments: [String], message: String) throws {
        let result = runShoreline(["train", "--input", try scene(), "--output", scratch.file("run").path] + arguments)
        #expect(result.exitCode == 2)
        #expect(result.errors == [message])
    }

    @Test func missingInputIsAUsageError() {
        let result = runShoreline(["train", "--method", "iic", "--output", scratch.file("run").path])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: train needs at least one --input; run 'shoreline train --help'"])
    }

    @Test func helpListsTheOptions() {
        let result = runShoreline(["train", "--help"])
        #expect(result.exitCode == 0)
        for option in ["--method", "--input", "--output", "--bands", "--clusters", "--overclusters", "--steps",
                       "--batch", "--crop", "--seed", "--threads", "--resume"] {
            #expect(result.output.contains { $0.contains(option) }, "help lacks '\(option)'")
        }
    }
}
