import Foundation
import Testing
import TensorEngine
import TestSupport
@testable import Clustering

@Suite struct ChipTrainingTests {
    let scratch = try! ScratchFolder(prefix: "chip")

    @Test(.enabled(if: SharedData.isAvailable, "\(SharedData.missingReason)"))
    func shortTrainingBeatsRandomInitialisation() throws {
        // A narrow network for 40 steps: seconds on one thread.
        var configuration = IICConfiguration()
        configuration.width = 4
        let (trained, untrained) = try #require(try ChipScoring.scoreTrainedAndRandom(
            method: IICMethod(configuration: configuration), clusterCounts: configuration.clusterCounts,
            receptiveField: IICNetwork.receptiveField, run: scratch.file("run")))
        #expect(trained.mainHungarian > untrained.mainHungarian + 0.05,
                "trained \(trained.mainHungarian) vs random \(untrained.mainHungarian)")
    }

    /// Scores the runs listed in `SHORELINE_SCORE_RUNS` (colon-separated
    /// folders) and appends a line per run to `SHORELINE_SCORE_OUTPUT`: the run,
    /// main-head Hungarian and last-head majority water IoU, the main head's
    /// water share, then both IoUs again with batch-norm batch statistics. It is
    /// the harness behind docs/RESULTS.md and is off in ordinary test runs.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SHORELINE_SCORE_RUNS"] != nil && SharedData.isAvailable))
    func scoreListedRuns() throws {
        let runs = Self.listedRuns
        var lines = ""
        for run in runs {
            let model = try TrainedModelLoader.load(run: URL(fileURLWithPath: run))
            let scores = try #require(try ChipScoring.score(model))
            #expect(scores.mainHungarian >= 0)
            #expect(scores.mainHungarian <= 1)
            // The same network normalising with the chip's own batch statistics.
            (model as! TrainedClusteringModel).network.setTraining(true)
            let batchScores = try #require(try ChipScoring.score(model))
            lines += String(format: "%@\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", run, scores.mainHungarian, scores.overclusteringMajority,
                            scores.mainWaterShare, batchScores.mainHungarian, batchScores.overclusteringMajority)
        }
        try Self.appendToScoreOutput(lines)
    }

    /// Scores every sub-head of the InfoSeg runs listed in
    /// `SHORELINE_SCORE_RUNS` and appends a line per run to
    /// `SHORELINE_SCORE_OUTPUT`: the run, then the main head's Hungarian water
    /// IoU of each sub-head in stored order (the kept one first). It checks
    /// whether a selection criterion ranks sub-heads, and is off in ordinary
    /// test runs.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SHORELINE_SCORE_RUNS"] != nil && SharedData.isAvailable))
    func scoreListedSubHeads() throws {
        let runs = Self.listedRuns
        var lines = ""
        for run in runs {
            let model = try TrainedModelLoader.load(run: URL(fileURLWithPath: run))
            guard let network = (model as? TrainedClusteringModel)?.network as? InfoSegNetwork else { continue }
            var scores: [Double] = []
            for subHead in 0..<network.subHeads {
                network.moveSubHeadFirst(subHead)
                scores.append(try #require(try ChipScoring.score(model)).mainHungarian)
                network.moveSubHeadFirst(subHead)
            }
            #expect(scores.allSatisfy { (0...1).contains($0) })
            lines += run + scores.map { String(format: "\t%.3f", $0) }.joined() + "\n"
        }
        try Self.appendToScoreOutput(lines)
    }

    /// The run folders in `SHORELINE_SCORE_RUNS`, colon-separated.
    static var listedRuns: [String] {
        (ProcessInfo.processInfo.environment["SHORELINE_SCORE_RUNS"] ?? "").split(separator: ":").map(String.init)
    }

    /// Appends `lines` to the file in `SHORELINE_SCORE_OUTPUT`, or to standard error.
    static func appendToScoreOutput(_ lines: String) throws {
        let output = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SHORELINE_SCORE_OUTPUT"] ?? "/dev/stderr")
        let handle = try FileHandle(forWritingTo: output)
        handle.seekToEndOfFile()
        handle.write(Data(lines.utf8))
        try handle.close()
    }
}
