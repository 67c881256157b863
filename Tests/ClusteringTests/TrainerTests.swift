import Foundation
import GeoRaster
import Testing
import TensorEngine
import TestSupport
@testable import Clustering

@Suite struct TrainerTests {
    let scratch = try! ScratchFolder(prefix: "trainer")

    func train(_ method: any ClusteringMethod = IICMethod(configuration: TrainingFixtures.tinyIIC),
               output: String, steps: Int, resume: Bool = false, seed: UInt64 = 7, inputScale: InputScale? = nil,
               stopRequested: () -> Bool = { false }, events: ((TrainingEvent) -> Void)? = nil) throws -> TrainingSummary {
        let scene = scratch.file("scene.tif")
        if !FileManager.default.fileExists(atPath: scene.path) { try TrainingFixtures.scene(scene) }
        var options = TrainingFixtures.options(inputs: [scene], output: scratch.file(output), steps: steps)
        options.resume = resume
        options.seed = seed
        options.inputScale = inputScale
        return try ClusteringTrainer(method: method, options: options).run(stopRequested: stopRequested,
                                                                           report: events ?? { _ in })
    }

    @Test func runFolderContainsConfigurationAndLog() throws {
        let summary = try train(output: "run", steps: 3, inputScale: .linear)
        let run = scratch.file("run")
        let configuration = try RunConfiguration.read(run: run)
        #expect(configuration.method == "iic")
        #expect(configuration.bands == ["B3", "B8", "B11"])
        #expect(configuration.iic == TrainingFixtures.tinyIIC)
        // Means of the valid pixels lie between the wet and dry levels, in reflectance.
        for mean in configuration.statistics.means {
            #expect(mean > 0.02)
            #expect(mean < 0.25)
        }
        #expect(configuration.statistics.pixelCount == 60 * 64)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: RunFolder.checkpoints(run).path).sorted()
        #expect(checkpoints == ["final.safetensors", "step-000002.safetensors", "step-000003.safetensors"])
        #expect(try TrainingFixtures.losses(run).map { Int($0[0]) } == [1, 2, 3])
        #expect(summary.lastStep?.heads.map(\.name) == ["main", "overclustering"])
        // The final checkpoint is step 3's with recomputed batch-norm
        // statistics and each head's kept sub-head moved first.
        let final = try TrainingFixtures.tensors(summary.finalCheckpoint)
        let last = try TrainingFixtures.tensors(RunFolder.checkpoint(run, step: 3))
        #expect(Set(final.keys) == Set(last.keys))
        for (name, values) in last where !name.contains("heads.") {
            if name.hasSuffix("running_mean") || name.hasSuffix("running_var") {
                #expect(final[name] != values, "\(name) was not recomputed")
            } else {
                #expect(final[name] == values, "\(name) changed")
            }
        }
        let selections = summary.subHeadSelections
        #expect(selections.map(\.head) == ["main", "overclustering"])
        for (head, selection) in selections.enumerated() {
            #expect(selection.losses.count == 2)
            #expect(selection.losses[selection.chosen] == selection.losses.min())
            let firstPlace = "heads.\(head * 2).weight", chosenPlace = "heads.\(head * 2 + selection.chosen).weight"
            #expect(final[firstPlace] == last[chosenPlace])
            #expect(final[chosenPlace] == last[firstPlace])
        }
        let metadata = try SafetensorsFile(contentsOf: summary.finalCheckpoint).metadata
        #expect(metadata["selected_sub_heads"] == selections.map { "\($0.head) \($0.chosen)" }.joined(separator: ", "))
    }

    @Test func zeroStatisticsBatchesKeepTheLastStep() throws {
        let scene = try TrainingFixtures.scene(scratch.file("scene.tif"))
        var options = TrainingFixtures.options(inputs: [scene], output: scratch.file("run"), steps: 3)
        options.statisticsBatches = 0
        var configuration = TrainingFixtures.tinyIIC
        configuration.subHeads = 1
        let summary = try ClusteringTrainer(method: IICMethod(configuration: configuration), options: options).run()
        #expect(try TrainingFixtures.tensors(summary.finalCheckpoint)
                == TrainingFixtures.tensors(RunFolder.checkpoint(scratch.file("run"), step: 3)))
        #expect(try RunConfiguration.read(run: scratch.file("run")).training.statisticsBatches == 0)
    }

    @Test func recomputedStatisticsPoolTheFirstLayersInputOverCleanCrops() throws {
        let scene = try TrainingFixtures.scene(scratch.file("scene.tif"))
        let options = TrainingFixtures.options(inputs: [scene], output: scratch.file("run"), steps: 1)
        let method = IICMethod(configuration: TrainingFixtures.tinyIIC)
        let data = try TrainingData(inputs: options.inputs, bands: nil, inputScale: .spectralShape)
        let statistics = try data.statistics()
        var generator = SeededGenerator(seed: 3)
        let network = method.makeNetwork(bands: 3, generator: &generator)
        var pooled = ClusteringTrainer.stepGenerator(seed: options.seed, step: 0)
        try ClusteringTrainer(method: method, options: options)
            .recomputeStatistics(network: network, data: data, statistics: statistics, options: options,
                                 generator: &pooled)

        // The same crops (step 0's generator, no jitter) through the first
        // convolution alone, pooled per channel.
        func flattened(_ module: Module) -> [Module] { [module] + module.children.flatMap { flattened($0.module) } }
        let convolution = try #require(flattened(network).lazy.compactMap { $0 as? Conv2d }.first)
        var crops = ClusteringTrainer.stepGenerator(seed: options.seed, step: 0)
        let channels = convolution.weight.shape[0], plane = options.crop * options.crop
        var sums = [Double](repeating: 0, count: channels), squares = sums, count = 0.0
        for _ in 0..<(options.statisticsBatches * options.batch) {
            var (reflectance, valid) = try data.randomCrop(size: options.crop, generator: &crops)
            statistics.normalise(&reflectance, valid: valid)
            let output = withNoGradient { convolution(Tensor(shape: [1, 3, options.crop, options.crop], values: reflectance)) }.values
            for channel in 0..<channels {
                for value in output[(channel * plane)..<((channel + 1) * plane)] {
                    sums[channel] += Double(value)
                    squares[channel] += Double(value) * Double(value)
                }
            }
            count += Double(plane)
        }
        let layer = try #require(network.batchNormalizations.first)
        for channel in 0..<channels {
            let mean = sums[channel] / count
            let variance = (squares[channel] - count * mean * mean) / (count - 1)
            #expect(abs(Double(layer.runningMean.values[channel]) - mean) < 1e-4)
            #expect(abs(Double(layer.runningVariance.values[channel]) - variance) < 1e-4 * max(1, variance))
        }
        #expect(network.batchNormalizations.allSatisfy { $0.runningVariance.values != [Float](repeating: 1, count: $0.runningVariance.count) })
    }

    @Test func sameSeedGivesSameRunAndAnotherSeedDoesNot() throws {
        _ = try train(output: "first", steps: 3)
        _ = try train(output: "second", steps: 3)
        _ = try train(output: "third", steps: 3, seed: 8)
        let first = try TrainingFixtures.losses(scratch.file("first"))
        #expect(first == (try TrainingFixtures.losses(scratch.file("second"))))
        #expect(first != (try TrainingFixtures.losses(scratch.file("third"))))
        #expect(try TrainingFixtures.tensors(RunFolder.final(scratch.file("first")))
                == TrainingFixtures.tensors(RunFolder.final(scratch.file("second"))))
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        _ = try train(output: "whole", steps: 5)
        _ = try train(output: "parts", steps: 2)
        let resumed = try train(output: "parts", steps: 5, resume: true)
        #expect(resumed.startStep == 2)
        #expect(try TrainingFixtures.losses(scratch.file("parts")) == TrainingFixtures.losses(scratch.file("whole")))
        #expect(try TrainingFixtures.tensors(RunFolder.final(scratch.file("parts")))
                == TrainingFixtures.tensors(RunFolder.final(scratch.file("whole"))))
    }

    @Test func stoppedRunSavesItsStepAndResumesExactly() throws {
        _ = try train(output: "whole", steps: 5)
        // The checkpoint interval is 2, so a stop after step 3 must save step 3 itself.
        var checks = 0
        let stopped = try train(output: "stopped", steps: 5, stopRequested: {
            checks += 1
            return checks == 3
        })
        #expect(stopped.stoppedAfterStep == 3)
        #expect(stopped.finalCheckpoint == RunFolder.checkpoint(scratch.file("stopped"), step: 3))
        #expect(!FileManager.default.fileExists(atPath: RunFolder.final(scratch.file("stopped")).path))

        let resumed = try train(output: "stopped", steps: 5, resume: true)
        #expect(resumed.startStep == 3)
        #expect(resumed.stoppedAfterStep == nil)
        #expect(try TrainingFixtures.losses(scratch.file("stopped")) == TrainingFixtures.losses(scratch.file("whole")))
        #expect(try TrainingFixtures.tensors(RunFolder.final(scratch.file("stopped")))
                == TrainingFixtures.tensors(RunFolder.final(scratch.file("whole"))))
    }

    @Test func stopDuringFinalStepsLeavesNoFinalCheckpoint() throws {
        // Two checks during the steps, the third while the final checkpoint is made.
        var checks = 0
        let stopped = try train(output: "run", steps: 3, stopRequested: {
            checks += 1
            return checks == 3
        })
        #expect(stopped.stoppedAfterStep == 3)
        #expect(stopped.finalCheckpoint == RunFolder.checkpoint(scratch.file("run"), step: 3))
        #expect(!FileManager.default.fileExists(atPath: RunFolder.final(scratch.file("run")).path))

        _ = try train(output: "whole", steps: 3)
        let resumed = try train(output: "run", steps: 3, resume: true)
        #expect(resumed.stoppedAfterStep == nil)
        #expect(try TrainingFixtures.tensors(RunFolder.final(scratch.file("run")))
                == TrainingFixtures.tensors(RunFolder.final(scratch.file("whole"))))
    }

    @Test func outputThatIsAFileIsRejected() throws {
        let file = scratch.file("plain")
        try Data("x".utf8).write(to: file)
        #expect(throws: ClusteringError.outputBlockedByFile(file.path, file: file.path)) {
            try train(output: "plain", steps: 1)
        }
        #expect(throws: ClusteringError.outputBlockedByFile(file.appendingPathComponent("run").path, file: file.path)) {
            try train(output: "plain/run", steps: 1)
        }
    }

    @Test func resumeToFewerStepsThanReachedIsRejected() throws {
        _ = try train(output: "run", steps: 4)
        #expect(throws: ClusteringError.resumeMismatch(scratch.file("run").path, reason: "it has reached step 4, so --steps must be 4 or more")) {
            try train(output: "run", steps: 2, resume: true)
        }
        #expect(try RunConfiguration.read(run: scratch.file("run")).training.steps == 4)
    }

    @Test func resumeDropsLogLinesAfterTheCheckpoint() throws {
        // Steps 1-3 logged, checkpoint at 2: the resumed run rewrites step 3.
        _ = try train(output: "run", steps: 3)
        try FileManager.default.removeItem(at: RunFolder.checkpoint(scratch.file("run"), step: 3))
        _ = try train(output: "run", steps: 4, resume: true)
        #expect(try TrainingFixtures.losses(scratch.file("run")).map { Int($0[0]) } == [1, 2, 3, 4])
    }

    @Test func nonFiniteLossStopsAndKeepsLastGoodCheckpoint() throws {
        #expect(throws: ClusteringError.nonFiniteLoss(
            step: 3, head: "overclustering", lastCheckpoint: RunFolder.checkpoint(scratch.file("run"), step: 2).path)) {
            try train(FaultyMethod(nonFiniteFromCall: 3), output: "run", steps: 5)
        }
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: RunFolder.checkpoints(scratch.file("run")).path)
        #expect(checkpoints == ["step-000002.safetensors"])
        #expect(try TrainingFixtures.tensors(RunFolder.checkpoint(scratch.file("run"), step: 2)).values.allSatisfy { $0.allSatisfy(\.isFinite) })
    }

    @Test func collapsedHeadsRaiseOneWarningEach() throws {
        var options = TrainingFixtures.options(inputs: [try TrainingFixtures.scene(scratch.file("scene.tif"))],
                                               output: scratch.file("run"), steps: 5)
        options.collapsePatience = 3
        var warnings: [String] = []
        let summary = try ClusteringTrainer(method: FaultyMethod(collapsed: true), options: options).run(report: { event in
            if case .warning(let message) = event { warnings.append(message) }
        })
        #expect(warnings.count == 2)
        #expect(warnings.first == "head 'main' has put more than 95 % of the pixels in one cluster for 3 steps (step 3); it may have collapsed: try another seed, a larger batch or a lower learning rate")
        #expect(summary.warnings == warnings)
    }

    @Test func alternatingScheduleTrainsOneHeadPerStep() throws {
        let scene = try TrainingFixtures.scene(scratch.file("scene.tif"))
        var options = TrainingFixtures.options(inputs: [scene], output: scratch.file("run"), steps: 1)
        options.headSchedule = .alternating
        let summary = try ClusteringTrainer(method: IICMethod(configuration: TrainingFixtures.tinyIIC), options: options).run()
        var generator = SeededGenerator(seed: options.seed)
        let initial = IICMethod(configuration: TrainingFixtures.tinyIIC).makeNetwork(bands: 3, generator: &generator)
        let start = Dictionary(uniqueKeysWithValues: initial.stateDictionary.map { ($0.name, $0.tensor.values) })
        let trained = try TrainingFixtures.tensors(summary.finalCheckpoint)
        // Step 1 trains the main head's two sub-heads and the trunk; the
        // overclustering head's sub-heads keep their initial weights, in
        // either order after the selection.
        #expect(trained["heads.0.weight"] != start["heads.0.weight"])
        #expect(trained["trunk.0.weight"] != start["trunk.0.weight"])
        #expect(Set([trained["heads.2.weight"]!, trained["heads.3.weight"]!])
                == Set([start["heads.2.weight"]!, start["heads.3.weight"]!]))
    }

    @Test func healthyRunRaisesNoCollapseWarning() throws {
        let summary = try train(output: "run", steps: 3)
        #expect(summary.warnings.isEmpty)
        #expect(summary.lastStep!.heads.allSatisfy { $0.largestClusterShare < 0.95 })
    }

    @Test func existingOutputNeedsResume() throws {
        _ = try train(output: "run", steps: 1)
        #expect(throws: ClusteringError.outputExists(scratch.file("run").path)) {
            try train(output: "run", steps: 2)
        }
    }

    @Test func resumeWithOtherSettingsIsRejected() throws {
        _ = try train(output: "run", steps: 1)
        var other = TrainingFixtures.tinyIIC
        other.clusters = 4
        other.augmentation.gainRange = 0.5
        let run = scratch.file("run").path
        #expect(throws: ClusteringError.resumeMismatch(run, reason: "it was trained with iic.augmentation.gain_range 0.3, not 0.5; iic.clusters 3, not 4; give the options it was trained with or start a new --output")) {
            try train(IICMethod(configuration: other), output: "run", steps: 2, resume: true)
        }
        #expect(throws: ClusteringError.resumeMismatch(run, reason: "it was trained with method 'iic', not 'infoseg'; resume with --method iic or start a new --output")) {
            try train(InfoSegMethod(), output: "run", steps: 2, resume: true)
        }
    }

    @Test func loadedModelMatchesTheTrainedNetwork() throws {
        _ = try train(output: "run", steps: 2)
        let model = try TrainedModelLoader.load(run: scratch.file("run"))
        #expect(model.bands == ["B3", "B8", "B11"])
        #expect(model.headNames == ["main", "overclustering"])
        #expect(model.clusterCounts == [3, 6])
        #expect(model.receptiveField == 1)

        // An odd-sized window: probabilities per pixel sum to 1 in every head.
        let (height, width) = (7, 9)
        let reflectance = (0..<(3 * height * width)).map { Float($0 % 11) / 50 }
        let valid = [Bool](repeating: true, count: height * width)
        let outputs = model.clusterProbabilities(reflectance: reflectance, valid: valid, height: height, width: width)
        #expect(outputs.map(\.count) == [3 * height * width, 6 * height * width])
        for (output, k) in zip(outputs, [3, 6]) {
            for pixel in 0..<(height * width) {
                let sum = (0..<k).reduce(Float(0)) { $0 + output[$1 * height * width + pixel] }
                #expect(abs(sum - 1) < 1e-4)
            }
        }
    }

    @Test func logarithmScaleReachesStatisticsAndModel() throws {
        let scene = try TrainingFixtures.scene(scratch.file("scene.tif"))
        var options = TrainingFixtures.options(inputs: [scene], output: scratch.file("run"), steps: 1)
        options.inputScale = .logarithm
        _ = try ClusteringTrainer(method: IICMethod(configuration: TrainingFixtures.tinyIIC), options: options).run()
        let configuration = try RunConfiguration.read(run: scratch.file("run"))
        #expect(configuration.training.inputScale == .logarithm)
        // Reflectance 0.02-0.25 has logarithms from -3.9 to -1.4.
        for mean in configuration.statistics.means {
            #expect(mean > -4)
            #expect(mean < -1.3)
        }

        // The model takes the logarithm itself: on reflectance it outputs what
        // the same network set to the linear scale outputs on logarithms.
        let model = try TrainedModelLoader.load(run: scratch.file("run")) as! TrainedClusteringModel
        var linear = model.configuration
        linear.training.inputScale = .linear
        let unscaled = TrainedClusteringModel(configuration: linear, network: model.network, headNames: model.headNames,
                                              clusterCounts: model.clusterCounts, receptiveField: model.receptiveField)
        let reflectance = (0..<(3 * 16)).map { Float(0.05 + 0.01 * Double($0 % 5)) }
        let valid = [Bool](repeating: true, count: 16)
        let logarithms = reflectance.map { Foundation.log($0) }
        #expect(model.clusterProbabilities(reflectance: reflectance, valid: valid, height: 4, width: 4)
                == unscaled.clusterProbabilities(reflectance: logarithms, valid: valid, height: 4, width: 4))
    }

    @Test func methodChoosesInputScaleWhenOptionsNameNone() throws {
        _ = try train(output: "iic", steps: 1)
        _ = try train(FaultyMethod(), output: "plain", steps: 1)
        let iic = try RunConfiguration.read(run: scratch.file("iic"))
        #expect(iic.training.inputScale == .spectralShape)
        // Spectral shapes are unit vectors, so each band's mean lies in (0, 1).
        // Reflectance in the fixture stays below 0.26, but B8 is about 0.8
        // of a dry pixel's spectral shape.
        for mean in iic.statistics.means {
            #expect(mean > 0)
            #expect(mean < 1)
        }
        #expect(iic.statistics.means[1] > 0.3)
        #expect(try RunConfiguration.read(run: scratch.file("plain")).training.inputScale == .linear)
    }

    @Test func configurationWithoutNewerKeysLoads() throws {
        _ = try train(output: "run", steps: 1)
        let url = scratch.file("run").appendingPathComponent(RunConfiguration.fileName)
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var training = object["training"] as! [String: Any]
        training["head_schedule"] = nil
        training["input_scale"] = nil
        training["statistics_batches"] = nil
        object["training"] = training
        var iic = object["iic"] as! [String: Any]
        iic["kernel_size"] = nil
        iic["pool"] = nil
        iic["sub_heads"] = nil
        object["iic"] = iic
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        let configuration = try RunConfiguration.read(run: scratch.file("run"))
        #expect(configuration.training.headSchedule == .summed)
        #expect(configuration.training.inputScale == .linear)
        #expect(configuration.training.statisticsBatches == 0)
        #expect(configuration.iic?.kernelSize == 3)
        #expect(configuration.iic?.pool == true)
        #expect(configuration.iic?.subHeads == 1)
        #expect(configuration.training.seed == 7)
    }

    @Test func loadingAMissingRunNamesIt() {
        let run = scratch.file("absent")
        #expect(throws: ClusteringError.invalidRun(run.path, reason: "it has no readable config.json; give the folder that 'shoreline train --output' wrote")) {
            try TrainedModelLoader.load(run: run)
        }
    }
}
