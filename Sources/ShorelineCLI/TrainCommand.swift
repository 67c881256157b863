import Clustering
import GeoRaster
import Foundation

/// `shoreline train`: learns a segmentation without labels.
enum TrainCommand {
    static let spec = CommandSpec(
        name: "train",
        summary: "Learn a water segmentation from tiles or scenes without labels.",
        usage: "--method iic|infoseg --input TILES_OR_SCENES... --output RUN [options]",
        discussion: """
            Inputs are tile folders made by 'shoreline tile' (with manifest.csv), scene files or folders of
            scenes; crops are drawn at random, in proportion to each raster's area. Bands default to
            B2,B3,B4,B8,B11,B12 when a scene has them, else to all bands of a scene of up to four.

            Writes RUN/config.json (settings, bands and their normalisation statistics),
            RUN/checkpoints/step-NNNNNN.safetensors every --checkpoint-every steps and final.safetensors,
            and RUN/log.jsonl (a line per step: loss, mutual information and cluster usage per head).
            --resume continues RUN from its newest checkpoint with the settings in its config.json; of the
            options given again, only --steps, --threads and --statistics-batches may differ from them.
            The same --seed and --threads give the same run.
            """,
        options: [
            OptionSpec("--method", value: "NAME", help: "clustering method: iic or infoseg (required)"),
            OptionSpec("--input", .repeated, value: "PATH", help: "tile folder, scene file or folder of scenes (repeatable)"),
            OptionSpec("--output", value: "RUN", help: "run folder (required; must not exist unless --resume)"),
            OptionSpec("--bands", value: "NAMES", help: "input bands, comma-separated (default B2,B3,B4,B8,B11,B12); for files without band names, the names of all their bands in file order (B11,B8,B3)"),
            OptionSpec("--clusters", value: "K", help: "clusters of the main head (default 3)"),
            OptionSpec("--overclusters", value: "K2", help: "iic: clusters of the overclustering head, 0 for none (default 15)"),
            OptionSpec("--width", value: "W", help: "channels of the first convolution; the trunk is W-2W-4W-4W-4W, with a 2x2 pool after 2W in the 3x3 trunk or with --trunk-pool (default 16)"),
            OptionSpec("--kernel-size", value: "N", help: "side of the trunk's convolution kernels: 1 (the trunk sees each pixel on its own unless --trunk-pool) or 3 (always with the pool) (default 1)"),
            OptionSpec("--sub-heads", value: "S", help: "sub-heads per head, 1 to 64, trained together on one trunk; one is kept and stored first: iic the lowest loss, infoseg the highest mutual information between the two views' classes (default 5)"),
            OptionSpec("--trunk-pool", .flag, help: "give the per-pixel trunk the 2x2 max pool of the 3x3 trunk, which mixes neighbouring pixels and, for infoseg, puts the local features at half resolution; no effect with --kernel-size 3"),
            OptionSpec("--displacement", value: "T", help: "largest displacement between paired pixels, pixels (default 0)"),
            OptionSpec("--lambda", value: "L", help: "weight of the marginal entropies of the main head's loss; above 1 rewards using every cluster (default 1.5)"),
            OptionSpec("--overclustering-lambda", value: "L", help: "the same for the overclustering head (default 1)"),
            OptionSpec("--affine", value: "DEGREES", help: "largest rotation of an extra affine warp of the second view, 0 for none (default 0)"),
            OptionSpec("--jitter-gain", value: "NAME", help: "per-band (each band its own gain) or shared (one gain per crop, keeping band contrasts) (default per-band for iic, shared for infoseg)"),
            OptionSpec("--jitter-gain-range", value: "R", help: "the second view's gain is drawn from 1 ± R (default 0.3 for iic, 0.1 for infoseg)"),
            OptionSpec("--jitter-noise", value: "S", help: "standard deviation of the Gaussian noise added to each pixel of the second view, in standard deviations of the band (default 0.05)"),
            OptionSpec("--steps", value: "N", help: "optimiser steps in total (default 300)"),
            OptionSpec("--batch", value: "B", help: "crops per step (default 4)"),
            OptionSpec("--crop", value: "C", help: "crop side in pixels, even (default 96)"),
            OptionSpec("--learning-rate", value: "R", help: "Adam's learning rate (default 0.0005)"),
            OptionSpec("--input-scale", value: "NAME", help: "linear, logarithm or spectral-shape (each pixel divided by its norm over the bands): what the network sees of reflectance, before normalisation (default spectral-shape)"),
            OptionSpec("--head-schedule", value: "NAME", help: "summed (every step trains all heads) or alternating (heads take turns by step) (default summed)"),
            OptionSpec("--seed", value: "S", help: "random seed (default 0)"),
            OptionSpec("--threads", value: "T", help: "compute threads (default 1)"),
            OptionSpec("--checkpoint-every", value: "N", help: "steps between checkpoints (default 100)"),
            OptionSpec("--statistics-batches", value: "N", help: "batches of crops without jitter over which batch-norm statistics are recomputed after the last step, 0 to keep the running averages of training (default 64)"),
            OptionSpec("--resume", .flag, help: "continue RUN from its newest checkpoint"),
        ] + infoSegOptions)

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        guard let methodName = arguments.string("--method") else {
            throw UsageError(description: "option '--method NAME' is required; use --method iic")
        }
        guard methodName == "iic" || methodName == "infoseg" else {
            throw UsageError(description: "option '--method' must be iic or infoseg, got '\(methodName)'; run 'shoreline train --help'")
        }
        let inputs = arguments.strings("--input") + arguments.positionals
        guard !inputs.isEmpty else {
            throw UsageError(description: "train needs at least one --input; run 'shoreline train --help'")
        }

        // Training options.
        var options = TrainingOptions(inputs: inputs, output: try arguments.required("--output"))
        options.bands = try arguments.list("--bands")
        options.steps = try arguments.integer("--steps", default: options.steps, in: 1...10_000_000)
        options.batch = try arguments.integer("--batch", default: options.batch, in: 1...1024)
        options.crop = try arguments.integer("--crop", default: options.crop, in: 8...4096)
        guard options.crop % 2 == 0 else {
            throw UsageError(description: "option '--crop' must be even, got '\(options.crop)'; run 'shoreline train --help'")
        }
        options.learningRate = Float(try arguments.decimal("--learning-rate", default: Double(options.learningRate), in: 1e-8...1))
        options.seed = UInt64(try arguments.integer("--seed", default: 0, in: 0...Int.max))
        options.threads = try arguments.integer("--threads", default: options.threads, in: 1...256)
        options.checkpointInterval = try arguments.integer("--checkpoint-every", default: options.checkpointInterval, in: 1...10_000_000)
        options.statisticsBatches = try arguments.integer("--statistics-batches", default: options.statisticsBatches, in: 0...100_000)
        options.resume = arguments.flag("--resume")
        if let name = arguments.string("--input-scale") {
            guard let scale = InputScale(rawValue: name) else {
                throw UsageError(description: "option '--input-scale' must be one of \(InputScale.names), got '\(name)'; run 'shoreline train --help'")
            }
            options.inputScale = scale
        }
        if let name = arguments.string("--head-schedule") {
            guard let schedule = HeadSchedule(rawValue: name) else {
                throw UsageError(description: "option '--head-schedule' must be summed or alternating, got '\(name)'; run 'shoreline train --help'")
            }
            options.headSchedule = schedule
        }

        // A resumed run starts from its stored settings, so that only the
        // options given on the command line can differ from them.
        let stored = try applyStoredOptions(to: &options, arguments)

        // IIC's settings.
        if methodName == "iic" { try rejectInfoSegOptions(arguments) }
        var configuration = stored?.iic ?? IICConfiguration()
        configuration.clusters = try arguments.integer("--clusters", default: configuration.clusters, in: 2...256)
        configuration.overclusters = try arguments.integer("--overclusters", default: configuration.overclusters, in: 0...1024)
        guard configuration.overclusters == 0 || configuration.overclusters >= 2 else {
            throw UsageError(description: "option '--overclusters' must be 0 or at least 2, got '1'; run 'shoreline train --help'")
        }
        configuration.width = try arguments.integer("--width", default: configuration.width, in: 1...1024)
        configuration.kernelSize = try arguments.integer("--kernel-size", default: configuration.kernelSize, in: 1...3)
        guard IICConfiguration.kernelSizes.contains(configuration.kernelSize) else {
            throw UsageError(description: "option '--kernel-size' must be 1 or 3, got '\(configuration.kernelSize)'; run 'shoreline train --help'")
        }
        configuration.subHeads = try arguments.integer("--sub-heads", default: configuration.subHeads, in: 1...64)
        if arguments.flag("--trunk-pool") { configuration.pool = true }
        configuration.displacementRadius = try arguments.integer("--displacement", default: configuration.displacementRadius, in: 0...(options.crop / 2))
        configuration.mainMarginalWeight = Float(try arguments.decimal(
            "--lambda", default: Double(configuration.mainMarginalWeight), in: 0...10))
        configuration.overclusteringMarginalWeight = Float(try arguments.decimal(
            "--overclustering-lambda", default: Double(configuration.overclusteringMarginalWeight), in: 0...10))

        // The second view's recipe, starting from the method's own defaults
        // or the resumed run's.
        let infoSegBase = stored?.infoseg ?? InfoSegConfiguration()
        var augmentation = methodName == "infoseg" ? infoSegBase.augmentation : configuration.augmentation
        augmentation.maximumAffineDegrees = try arguments.decimal(
            "--affine", default: augmentation.maximumAffineDegrees, in: 0...45)
        augmentation.gainRange = Float(try arguments.decimal(
            "--jitter-gain-range", default: Double(augmentation.gainRange), in: 0...0.9))
        augmentation.noiseStandardDeviation = Float(try arguments.decimal(
            "--jitter-noise", default: Double(augmentation.noiseStandardDeviation), in: 0...10))
        switch arguments.string("--jitter-gain") {
        case nil: break
        case "per-band": augmentation.sharedGain = false
        case "shared": augmentation.sharedGain = true
        case let name?:
            throw UsageError(description: "option '--jitter-gain' must be per-band or shared, got '\(name)'; run 'shoreline train --help'")
        }
        configuration.augmentation = augmentation

        // The run.
        let method: any ClusteringMethod = methodName == "infoseg" ? try infoSegMethod(arguments, augmentation: augmentation, base: infoSegBase) : IICMethod(configuration: configuration)
        let trainer = ClusteringTrainer(method: method, options: options)
        let bar = console.progressBar(unit: "steps")
        // SIGINT or SIGTERM stops after the current step, which is then saved.
        let stop = StopRequest()
        let interruption = Interruption(onFirstSignal: { stop.request() })
        defer { interruption.stopListening() }
        let summary: TrainingSummary
        do {
            summary = try trainer.run(stopRequested: { stop.isRequested }) { event in
                switch event {
                // Printed once the run is accepted, so that an error is not preceded by it.
                case .started(let total):
                    console.logger.info("training \(methodName) into '\(options.output)' for \(total) steps (\(options.threads) thread\(options.threads == 1 ? "" : "s"))")
                case .step(let record, let total): bar.update(completed: record.step, total: total)
                case .checkpoint(let url, let step): console.logger.debug("step \(step): wrote '\(url.path)'")
                case .warning(let message): console.logger.warning(message)
                }
            }
            bar.finish()
        } catch {
            bar.finish()
            throw error
        }

        if let step = summary.stoppedAfterStep {
            throw Interrupted(signal: interruption.signal ?? SIGINT,
                              outcome: "step \(step) is saved in '\(summary.finalCheckpoint.path)', so add --resume to the same command to continue")
        }
        if let last = summary.lastStep {
            // InfoSeg logs its InfoNCE bound, not the views' mutual information that selects its sub-head.
            let informationLabel = methodName == "infoseg" ? "InfoNCE bound" : "mutual information"
            let heads = last.heads.map { head in
                "\(head.name) loss \(format(head.loss))" + (head.mutualInformation.map { ", \(informationLabel) \(format($0))" } ?? "")
                    + ", largest cluster \(format(head.largestClusterShare * 100, digits: 1)) %"
            }
            console.print("steps: \(summary.startStep + 1) to \(summary.steps) in \(format(Float(summary.seconds), digits: 1)) s")
            let note = summary.subHeadSelections.isEmpty ? "" : "; each head's loss is the mean over its sub-heads"
            console.print("final loss: \(format(last.loss)) (\(heads.joined(separator: "; ")))\(note)")
        } else {
            console.print("steps: none to run; the run already reached step \(summary.steps)")
        }
        for selection in summary.subHeadSelections {
            let criterion = selection.agreements.map { values in
                "the highest agreement between the two views (mutual information of their classes) of \(values.map { format($0) }.joined(separator: ", ")) nats"
            } ?? "the lowest of the losses \(selection.losses.map { format($0) }.joined(separator: ", "))"
            console.print("\(selection.head) head: kept sub-head \(selection.chosen) (counting from 0), \(criterion); it is now stored first")
        }
        console.print("checkpoint: \(summary.finalCheckpoint.path)")
        console.print("log: \(summary.log.path)")
    }

    /// Takes, for `--resume` of an existing run, the stored step count and
    /// statistics batches unless the command gives them, and rejects a
    /// training option given with another value than the run's: only
    /// `--steps`, `--threads` and `--statistics-batches` may change.
    /// - Returns: the run's stored configuration, or nil for a new run.
    /// - Throws: `ClusteringError.resumeMismatch` naming each such option.
    static func applyStoredOptions(to options: inout TrainingOptions, _ arguments: ParsedArguments) throws -> RunConfiguration? {
        let run = URL(fileURLWithPath: options.output)
        guard options.resume, FileManager.default.fileExists(atPath: run.appendingPathComponent(RunConfiguration.fileName).path) else {
            return nil
        }
        let configuration = try RunConfiguration.read(run: run)
        let stored = configuration.training
        if arguments.string("--steps") == nil { options.steps = stored.steps }
        if arguments.string("--statistics-batches") == nil { options.statisticsBatches = stored.statisticsBatches }
        let checks: [(option: String, given: String, stored: String)] = [
            ("--batch", String(options.batch), String(stored.batch)),
            ("--crop", String(options.crop), String(stored.crop)),
            ("--seed", String(options.seed), String(stored.seed)),
            ("--learning-rate", "\(options.learningRate)", "\(stored.learningRate)"),
            ("--checkpoint-every", String(options.checkpointInterval), String(stored.checkpointInterval)),
            ("--head-schedule", options.headSchedule.rawValue, stored.headSchedule.rawValue),
            ("--input-scale", options.inputScale?.rawValue ?? "", stored.inputScale?.rawValue ?? InputScale.linear.rawValue),
            ("--bands", options.bands?.joined(separator: ",") ?? "", stored.bands?.joined(separator: ",") ?? ""),
        ]
        let changed = checks.filter { arguments.string($0.option) != nil && $0.given != $0.stored }
        guard changed.isEmpty else {
            let list = changed.map { "\($0.option) \($0.stored), not \($0.given)" }.joined(separator: "; ")
            throw ClusteringError.resumeMismatch(options.output, reason: "it was trained with \(list); drop those options or start a new --output")
        }
        return configuration
    }

    static func format(_ value: Float, digits: Int = 4) -> String {
        String(format: "%.\(digits)f", value)
    }
}
