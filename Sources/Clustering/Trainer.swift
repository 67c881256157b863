import Foundation
import Tiling
import TensorEngine

/// The measurements of one training step; `log.jsonl` contains one per line.
public struct StepRecord: Codable, Equatable, Sendable {
    /// The measurements of one head at a step.
    public struct HeadRecord: Codable, Equatable, Sendable {
        public var name: String
        public var loss: Float
        /// Mutual information between the views' clusters, nats.
        public var mutualInformation: Float?
        /// Entropy of the share of valid pixels in each cluster (by the
        /// most probable cluster), nats; log K when used equally.
        public var usageEntropy: Float
        /// The share of valid pixels in the most used cluster, 0 to 1.
        public var largestClusterShare: Float
    }

    /// 1-based step number.
    public var step: Int
    /// The summed loss of all heads.
    public var loss: Float
    public var heads: [HeadRecord]
    /// Wall-clock time of the step, seconds.
    public var seconds: Double
}

/// An event the trainer reports while it runs.
public enum TrainingEvent {
    /// The run folder, data and network are ready and the steps begin.
    case started(totalSteps: Int)
    /// A step finished.
    case step(StepRecord, totalSteps: Int)
    /// A checkpoint was written.
    case checkpoint(URL, step: Int)
    /// Something the user should know, such as a collapsed head.
    case warning(String)
}

/// The outcome of a training run.
public struct TrainingSummary {
    /// The last step's record, or nil when no step ran (a finished run resumed).
    public var lastStep: StepRecord?
    /// The step the run started from (0, or the resumed checkpoint's step).
    public var startStep: Int
    public var steps: Int
    /// Wall-clock seconds of this invocation's steps.
    public var seconds: Double
    /// `final.safetensors`, or the last step checkpoint of a stopped run.
    public var finalCheckpoint: URL
    public var log: URL
    public var warnings: [String]
    /// The step after which a requested stop ended the run, or nil when it
    /// ran all its steps. A stopped run has no `final.safetensors` yet, and
    /// `--resume` continues it from that step.
    public var stoppedAfterStep: Int? = nil
    /// The sub-head kept for each head, for a method with sub-heads.
    public var subHeadSelections: [SubHeadSelection] = []
}

/// Trains a `ClusteringMethod` on random crops: each step draws `batch`
/// crops, makes a second view of each (jitter and a geometric transform),
/// sums the heads' losses and takes an Adam step.
///
/// A run is reproducible: the network starts from `seed`, and the crops and
/// views of step s come from a generator seeded by (seed, s), so a resumed
/// run draws exactly what an uninterrupted one would have drawn.
///
/// NOTE: the reference implementation of IIC alternates heads per epoch;
/// here the heads' losses are summed every step by default (see `HeadSchedule`).
/// NOTE: one geometric transform serves all crops of a step (the engine's
/// flips and turns act on the whole batch); steps draw afresh.
public final class ClusteringTrainer {
    public let method: any ClusteringMethod
    public let options: TrainingOptions

    public init(method: any ClusteringMethod, options: TrainingOptions) {
        precondition(options.crop >= 8 && options.crop % 2 == 0, "crop must be even and >= 8, got \(options.crop)")
        precondition(options.batch >= 1 && options.steps >= 1 && options.checkpointInterval >= 1,
                     "batch, steps and checkpoint interval must be >= 1, got \(options.batch), \(options.steps), \(options.checkpointInterval)")
        self.method = method
        self.options = options
    }

    /// Runs the training.
    /// - Parameters:
    ///   - stopRequested: checked after each step. When it returns true, the
    ///     run saves that step's checkpoint and returns with `stoppedAfterStep`
    ///     set. The command line sets it on SIGINT and SIGTERM.
    ///   - report: called after each step, checkpoint and warning.
    /// - Throws: `ClusteringError` for bad inputs, an existing output without
    ///   resume, or a non-finite loss, which keeps the last good checkpoint.
    ///   `GeoRasterError` and `CheckpointError` for unreadable files.
    public func run(stopRequested: () -> Bool = { false },
                    report: (TrainingEvent) -> Void = { _ in }) throws -> TrainingSummary {
        let run = URL(fileURLWithPath: options.output)
        EngineThreads.set(options.threads)

        // The run folder: new, or resumed with the settings stored in it.
        if let file = OutputPath.fileInPath(run.path) { throw ClusteringError.outputBlockedByFile(run.path, file: file) }
        let exists = FileManager.default.fileExists(atPath: run.path)
        if exists && !options.resume { throw ClusteringError.outputExists(run.path) }
        let data: TrainingData
        var configuration: RunConfiguration
        // One process per run folder, or two resumed runs would interleave
        // their steps; the lock is taken once the folder exists.
        var lock: OutputLock?
        defer { lock?.release() }
        if options.resume && exists {
            lock = try OutputLock(folder: run.path, name: ".train.lock")
            guard FileManager.default.fileExists(atPath: run.appendingPathComponent(RunConfiguration.fileName).path) else {
                throw ClusteringError.nothingToResume(run.path)
            }
            configuration = try RunConfiguration.read(run: run)
            if let reached = RunFolder.newestCheckpoint(run)?.step, options.steps < reached {
                throw ClusteringError.resumeMismatch(run.path, reason: "it has reached step \(reached), so --steps must be \(reached) or more")
            }
            var requested = configuration
            method.record(in: &requested)
            guard configuration.method == method.name else {
                throw ClusteringError.resumeMismatch(run.path, reason: "it was trained with method '\(configuration.method)', not '\(method.name)'; resume with --method \(configuration.method) or start a new --output")
            }
            guard requested == configuration else {
                let differences = configuration.differences(from: requested).joined(separator: "; ")
                throw ClusteringError.resumeMismatch(run.path, reason: "it was trained with \(differences); give the options it was trained with or start a new --output")
            }
            data = try TrainingData(inputs: options.inputs, bands: configuration.bands, inputScale: configuration.inputScale)
            configuration.training.steps = options.steps
            configuration.training.threads = options.threads
            configuration.training.statisticsBatches = options.statisticsBatches
        } else {
            let inputScale = options.inputScale ?? method.defaultInputScale
            data = try TrainingData(inputs: options.inputs, bands: options.bands, inputScale: inputScale)
            let statistics = try data.statistics()
            configuration = RunConfiguration(method: method.name, bands: data.bands, statistics: statistics, training: options)
            configuration.training.bands = data.bands
            configuration.training.inputScale = inputScale
            method.record(in: &configuration)
            try Self.createRunFolder(run, configuration: configuration)
            lock = try OutputLock(folder: run.path, name: ".train.lock")
        }
        try configuration.write(run: run)
        let training = configuration.training

        // The network and optimiser, from the newest checkpoint when resuming.
        var initialGenerator = SeededGenerator(seed: training.seed)
        let network = method.makeNetwork(bands: data.bands.count, generator: &initialGenerator)
        network.setTraining(true)
        let parameters = network.namedParameters
        let adam = Adam(parameters: parameters.map(\.tensor), learningRate: training.learningRate)
        var startStep = 0
        var lastCheckpoint: URL?
        if options.resume, let newest = RunFolder.newestCheckpoint(run) {
            try TrainingCheckpoint.load(newest.url, network: network, optimizer: adam, parameterNames: parameters.map(\.name))
            startStep = newest.step
            lastCheckpoint = newest.url
        }
        let logURL = RunFolder.log(run)
        let log = try TrainingLog(url: logURL, keepingStepsThrough: startStep)

        // The steps.
        report(.started(totalSteps: training.steps))
        var collapse = CollapseMonitor(heads: method.headNames, patience: training.collapsePatience)
        var warnings: [String] = []
        var lastRecord: StepRecord?
        let start = Date()
        for step in (startStep + 1)..<(max(startStep, training.steps) + 1) {
            let stepStart = Date()
            var generator = Self.stepGenerator(seed: training.seed, step: step)
            let batch = try makeBatch(data: data, statistics: configuration.statistics, crop: training.crop,
                                      count: training.batch, generator: &generator)

            adam.zeroGradients()
            let terms = method.objective(network: network, first: batch.first, second: batch.second,
                                         transform: batch.transform, valid: batch.valid)
            for term in terms where !term.loss.scalar.isFinite {
                throw ClusteringError.nonFiniteLoss(step: step, head: term.name, lastCheckpoint: lastCheckpoint?.path)
            }
            var total = terms[0].loss
            for term in terms.dropFirst() { total = total + term.loss }
            switch training.headSchedule {
            case .summed: total.backward()
            case .alternating: terms[(step - 1) % terms.count].loss.backward()
            }
            adam.step()

            let record = StepRecord(
                step: step, loss: total.scalar,
                heads: terms.map { Self.headRecord($0, valid: batch.validFlags) },
                seconds: Date().timeIntervalSince(stepStart))
            try log.append(record)
            lastRecord = record
            report(.step(record, totalSteps: training.steps))
            for warning in collapse.observe(record) {
                warnings.append(warning)
                report(.warning(warning))
            }

            let stopping = step < training.steps && stopRequested()
            if step % training.checkpointInterval == 0 || step == training.steps || stopping {
                for (name, tensor) in parameters where !tensor.values.allSatisfy(\.isFinite) {
                    throw ClusteringError.nonFiniteLoss(step: step, head: "parameter \(name)", lastCheckpoint: lastCheckpoint?.path)
                }
                let url = RunFolder.checkpoint(run, step: step)
                try TrainingCheckpoint.save(url, network: network, optimizer: adam, parameterNames: parameters.map(\.name), step: step)
                lastCheckpoint = url
                report(.checkpoint(url, step: step))
            }
            if stopping, let last = lastCheckpoint {
                return TrainingSummary(lastStep: lastRecord, startStep: startStep, steps: training.steps,
                                       seconds: Date().timeIntervalSince(start), finalCheckpoint: last, log: logURL,
                                       warnings: warnings, stoppedAfterStep: step)
            }
        }

        // The final checkpoint: the last step's, with each head's kept
        // sub-head first and the batch-norm statistics recomputed when the
        // options ask for it.
        let final = RunFolder.final(run)
        guard let last = lastCheckpoint else {
            throw ClusteringError.invalidRun(run.path, reason: "no step ran and no checkpoint exists")
        }
        // Both steps draw from the generator of step 0, which no training
        // step uses, so a resumed run ends as an uninterrupted one does.
        // A stop requested meanwhile ends the run at its last step checkpoint,
        // from which --resume makes the final checkpoint.
        let stopped = TrainingSummary(lastStep: lastRecord, startStep: startStep, steps: training.steps,
                                      seconds: Date().timeIntervalSince(start), finalCheckpoint: last, log: logURL,
                                      warnings: warnings, stoppedAfterStep: max(startStep, training.steps))
        var generator = Self.stepGenerator(seed: training.seed, step: 0)
        var selections: [SubHeadSelection] = []
        if method.subHeadsPerHead > 1 {
            let batches = try (0..<Self.selectionBatches).map { _ in
                try makeBatch(data: data, statistics: configuration.statistics, crop: training.crop,
                              count: training.batch, generator: &generator).views
            }
            if stopRequested() { return stopped }
            // The comparison runs in training mode, so the batch-norm buffers
            // it updates are put back afterwards.
            let buffers = Self.batchNormalizationBuffers(network)
            selections = method.selectSubHeads(network: network, batches: batches, optimizer: adam)
            Self.restore(buffers)
        }
        if training.statisticsBatches > 0 {
            let finished = try recomputeStatistics(network: network, data: data, statistics: configuration.statistics,
                                                   options: training, generator: &generator, stopRequested: stopRequested)
            if !finished { return stopped }
        }
        if selections.isEmpty && training.statisticsBatches == 0 {
            try RunFolder.writeAtomically(try Data(contentsOf: last), to: final)
        } else {
            var metadata: [String: String] = [:]
            if !selections.isEmpty {
                metadata["selected_sub_heads"] = selections.map { "\($0.head) \($0.chosen)" }.joined(separator: ", ")
            }
            try TrainingCheckpoint.save(final, network: network, optimizer: adam, parameterNames: parameters.map(\.name),
                                        step: max(startStep, training.steps), metadata: metadata)
        }
        return TrainingSummary(lastStep: lastRecord, startStep: startStep, steps: training.steps,
                               seconds: Date().timeIntervalSince(start), finalCheckpoint: final, log: logURL, warnings: warnings,
                               subHeadSelections: selections)
    }

    /// Creates a new run folder with its `checkpoints/` and `config.json`
    /// under a hidden temporary name, then renames it into place. A run
    /// killed before the rename leaves no folder under its name, so both a
    /// re-run and `--resume` start afresh, and a folder under the run's name
    /// always has a `config.json` to resume from.
    /// - Throws: `ClusteringError.outputExists` when another run created the
    ///   folder meanwhile, `.unwritableOutput` when it cannot be written.
    static func createRunFolder(_ run: URL, configuration: RunConfiguration) throws {
        let parent = run.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(run.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: RunFolder.checkpoints(staging), withIntermediateDirectories: true)
        } catch {
            throw ClusteringError.unwritableOutput(run.path, reason: OutputPath.creationFailureReason(staging.path, error: error))
        }
        do {
            try configuration.write(run: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        guard rename(staging.path, run.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: staging)
            if code == EEXIST || code == ENOTEMPTY { throw ClusteringError.outputExists(run.path) }
            throw ClusteringError.unwritableOutput(run.path, reason: String(cString: strerror(code)))
        }
    }

    /// Replaces the running averages of the network's batch-normalisation
    /// layers with the statistics of `options.statisticsBatches` batches of
    /// crops without jitter, pooled over all their pixels (PreciseBN, Wu and
    /// Johnson, "Rethinking 'Batch' in BatchNorm", 2021). During training
    /// the running averages mix the jittered second views with the crops and
    /// follow weights that kept changing, so a whole scene normalised with
    /// them is not normalised as the crops were. The crops come from
    /// `generator`.
    /// - Returns: false when `stopRequested` returned true between batches,
    ///   which leaves the statistics unchanged.
    @discardableResult
    func recomputeStatistics(network: any ClusteringNetwork, data: TrainingData, statistics: BandStatistics,
                             options: TrainingOptions, generator: inout SeededGenerator,
                             stopRequested: () -> Bool = { false }) throws -> Bool {
        let layers = network.batchNormalizations
        guard !layers.isEmpty else { return true }
        let saved = Self.batchNormalizationBuffers(network)
        let shape = [options.batch, data.bands.count, options.crop, options.crop]
        network.setTraining(true)
        for layer in layers { layer.beginPooling() }
        defer { for layer in layers { layer.endPooling() } }
        for _ in 0..<options.statisticsBatches {
            if stopRequested() {
                for layer in layers { layer.endPooling() }
                Self.restore(saved)
                return false
            }
            var values: [Float] = []
            values.reserveCapacity(shape.reduce(1, *))
            for _ in 0..<options.batch {
                var (reflectance, valid) = try data.randomCrop(size: options.crop, generator: &generator)
                statistics.normalise(&reflectance, valid: valid)
                values += reflectance
            }
            _ = withNoGradient { network.headProbabilities(Tensor(shape: shape, values: values)) }
        }
        return true
    }

    /// Returns the batch-norm buffers of `network` (running statistics and
    /// batch counts) with copies of their values, for `restore`.
    static func batchNormalizationBuffers(_ network: any ClusteringNetwork) -> [(tensor: Tensor, values: [Float])] {
        network.batchNormalizations.flatMap(\.localBuffers).map { ($0.tensor, $0.tensor.values) }
    }

    /// Puts back the values that `batchNormalizationBuffers` copied.
    static func restore(_ buffers: [(tensor: Tensor, values: [Float])]) {
        for buffer in buffers { buffer.tensor.assign(buffer.values) }
    }

    /// Batches of two views over which each head's sub-heads are compared
    /// at the end of training.
    static let selectionBatches = 8

    /// The generator of step `step`: SplitMix64 seeded by the run's seed and
    /// the step, so any step's draws can be reproduced alone.
    static func stepGenerator(seed: UInt64, step: Int) -> SeededGenerator {
        var mixer = SeededGenerator(seed: seed ^ (UInt64(step) &* 0xD1B5_4A32_D192_ED03))
        return SeededGenerator(seed: mixer.next())
    }

    /// One step's input: normalised crops, their second views, the transform
    /// between them and the pixels valid in both.
    struct Batch {
        var first: Tensor
        var second: Tensor
        var transform: GeometricTransform
        var valid: Tensor
        var validFlags: [Bool]

        var views: ViewBatch { ViewBatch(first: first, second: second, transform: transform, valid: valid) }
    }

    /// Draws `count` crops and makes their second views.
    func makeBatch(data: TrainingData, statistics: BandStatistics, crop: Int, count: Int,
                   generator: inout SeededGenerator) throws -> Batch {
        let bands = data.bands.count, pixels = crop * crop
        var values: [Float] = [], validity: [Bool] = []
        values.reserveCapacity(count * bands * pixels)
        for _ in 0..<count {
            var (reflectance, valid) = try data.randomCrop(size: crop, generator: &generator)
            statistics.normalise(&reflectance, valid: valid)
            values += reflectance
            validity += valid
        }
        var jittered = values
        method.augmentation.jitter(&jittered, valid: validity, crops: count, bands: bands, generator: &generator)
        let transform = method.augmentation.randomTransform(size: crop, generator: &generator)

        let shape = [count, bands, crop, crop]
        let mask = Tensor(shape: [count, 1, crop, crop], values: validity.map { $0 ? 1 : 0 })
        let valid = mask * transform.alignedValidity(mask)
        let second = withNoGradient { transform.apply(Tensor(shape: shape, values: jittered)) }
        return Batch(first: Tensor(shape: shape, values: values), second: second, transform: transform,
                     valid: valid, validFlags: valid.values.map { $0 > 0.5 })
    }

    /// Returns the log record of one head: its loss and how its clusters are used.
    static func headRecord(_ term: HeadObjective, valid: [Bool]) -> StepRecord.HeadRecord {
        let probabilities = term.probabilities.values
        let (n, k) = (term.probabilities.shape[0], term.probabilities.shape[1])
        let plane = term.probabilities.shape[2] * term.probabilities.shape[3]
        var usage = [Int](repeating: 0, count: k)
        for sample in 0..<n {
            for pixel in 0..<plane where valid[sample * plane + pixel] {
                var best = 0
                for cluster in 1..<k where probabilities[(sample * k + cluster) * plane + pixel]
                    > probabilities[(sample * k + best) * plane + pixel] { best = cluster }
                usage[best] += 1
            }
        }
        let total = max(1, usage.reduce(0, +))
        let shares = usage.map { Double($0) / Double(total) }
        let entropy = -shares.reduce(0.0) { $0 + ($1 > 0 ? $1 * Foundation.log($1) : 0) }
        return StepRecord.HeadRecord(name: term.name, loss: term.loss.scalar, mutualInformation: term.mutualInformation,
                                     usageEntropy: Float(entropy), largestClusterShare: Float(shares.max() ?? 0))
    }
}

/// Watches for heads that put almost every pixel in one cluster.
struct CollapseMonitor {
    /// The share of pixels in one cluster that counts as collapsed.
    static let threshold: Float = 0.95
    let patience: Int
    private var streaks: [String: Int]

    init(heads: [String], patience: Int) {
        self.patience = patience
        streaks = Dictionary(uniqueKeysWithValues: heads.map { ($0, 0) })
    }

    /// Updates the streaks with a step and returns the warnings it raises:
    /// one when a head has been collapsed for exactly `patience` steps.
    mutating func observe(_ record: StepRecord) -> [String] {
        var warnings: [String] = []
        for head in record.heads {
            let streak = head.largestClusterShare > Self.threshold ? (streaks[head.name] ?? 0) + 1 : 0
            streaks[head.name] = streak
            if streak == patience {
                warnings.append("head '\(head.name)' has put more than 95 % of the pixels in one cluster for \(patience) steps (step \(record.step)); it may have collapsed: try another seed, a larger batch or a lower learning rate")
            }
        }
        return warnings
    }
}

/// The run's `log.jsonl`, a JSON object per step.
final class TrainingLog {
    private let handle: FileHandle
    private let encoder = JSONEncoder()
    private let url: URL

    /// Opens the log for appending, first dropping lines of steps after
    /// `keepingStepsThrough` (left by a run that stopped between checkpoints).
    init(url: URL, keepingStepsThrough lastStep: Int) throws {
        self.url = url
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let existing = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let kept = existing.split(separator: "\n").filter { line in
            guard let record = try? decoder.decode(StepRecord.self, from: Data(line.utf8)) else { return false }
            return record.step <= lastStep
        }
        try RunFolder.writeAtomically(Data(kept.map { $0 + "\n" }.joined().utf8), to: url)
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw ClusteringError.unwritableOutput(url.path, reason: SafetensorsFile.fileSystemReason(error))
        }
    }

    deinit { try? handle.close() }

    func append(_ record: StepRecord) throws {
        var line = try encoder.encode(record)
        line.append(0x0A)
        // FileHandle.write(_:) traps on a failed write, such as on a full disk.
        do {
            try handle.write(contentsOf: line)
        } catch {
            throw ClusteringError.unwritableOutput(url.path, reason: SafetensorsFile.fileSystemReason(error))
        }
    }
}
