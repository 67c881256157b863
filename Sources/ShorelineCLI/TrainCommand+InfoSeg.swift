import Clustering

/// The options of `shoreline train --method infoseg`.
extension TrainCommand {
    /// Options that only InfoSeg reads. `--clusters`, `--width`,
    /// `--kernel-size`, `--sub-heads`, `--affine` and `--jitter-gain` are
    /// shared with IIC.
    static let infoSegOptions = [
        OptionSpec("--feature-channels", value: "C", help: "infoseg: channels of the local and global features (default 32)"),
        OptionSpec("--segmentation-scale", value: "B", help: "infoseg: scale of the cosine similarities before the class softmax (default 10)"),
        OptionSpec("--temperature", value: "T", help: "infoseg: temperature of the InfoNCE softmax (default 0.1)"),
        OptionSpec("--marginal-weight", value: "W", help: "infoseg: weight of the marginal-entropy guard against collapse, 0 for none (default 1)"),
        OptionSpec("--same-view", .flag, help: "infoseg: contrast local features with their own view's class features, not the other view's"),
        OptionSpec("--positives", value: "NAME", help: "infoseg: what weights each pixel's positives: own-view (its view's class probabilities, as in the InfoSeg paper) or other-view (the other view's at the same pixel) (default other-view)"),
        OptionSpec("--negatives", value: "NAME", help: "infoseg: batch (the classes of every image in the batch, as in the InfoSeg paper) or own-image (the other classes of the position's own image) (default own-image)"),
    ]

    /// Options that only IIC reads, rejected with `--method infoseg`.
    static let iicOnlyOptions = ["--overclusters", "--displacement", "--lambda", "--overclustering-lambda", "--head-schedule"]

    /// Rejects the options that only InfoSeg reads, for `--method iic`.
    /// - Throws: `UsageError` naming the first such option given.
    static func rejectInfoSegOptions(_ arguments: ParsedArguments) throws {
        for option in infoSegOptions where arguments.flag(option.name) || arguments.string(option.name) != nil {
            throw UsageError(description: "option '\(option.name)' applies to --method infoseg only; drop it or use --method infoseg")
        }
    }

    /// Builds InfoSeg's method from the command-line options.
    /// - Parameters:
    ///   - augmentation: the second view's recipe, parsed with the shared
    ///     options (`--affine`, `--jitter-gain`) from `base`'s recipe.
    ///   - base: the settings that options not given keep: InfoSeg's
    ///     defaults, or a resumed run's.
    /// - Throws: `UsageError` for an IIC-only option or a value out of range.
    static func infoSegMethod(_ arguments: ParsedArguments, augmentation: ViewAugmentation,
                              base: InfoSegConfiguration = InfoSegConfiguration()) throws -> InfoSegMethod {
        // `--overclusters 0` requests no overclustering head, and InfoSeg has none.
        for name in iicOnlyOptions where (arguments.string(name) != nil && !(name == "--overclusters" && arguments.string(name) == "0"))
            || arguments.flag(name) {
            throw UsageError(description: "option '\(name)' applies to --method iic only; drop it or use --method iic")
        }
        var configuration = base
        configuration.clusters = try arguments.integer("--clusters", default: configuration.clusters, in: 2...256)
        configuration.width = try arguments.integer("--width", default: configuration.width, in: 1...1024)
        configuration.kernelSize = try arguments.integer("--kernel-size", default: configuration.kernelSize, in: 1...3)
        guard InfoSegConfiguration.kernelSizes.contains(configuration.kernelSize) else {
            throw UsageError(description: "option '--kernel-size' must be 1 or 3, got '\(configuration.kernelSize)'; run 'shoreline train --help'")
        }
        configuration.subHeads = try arguments.integer("--sub-heads", default: configuration.subHeads, in: 1...64)
        if arguments.flag("--trunk-pool") { configuration.pool = true }
        configuration.featureChannels = try arguments.integer("--feature-channels", default: configuration.featureChannels, in: 1...1024)
        configuration.segmentationScale = Float(try arguments.decimal("--segmentation-scale", default: Double(configuration.segmentationScale), in: 0.01...1000))
        configuration.temperature = Float(try arguments.decimal("--temperature", default: Double(configuration.temperature), in: 0.001...100))
        configuration.marginalWeight = Float(try arguments.decimal("--marginal-weight", default: Double(configuration.marginalWeight), in: 0...10))
        if arguments.flag("--same-view") { configuration.crossView = false }
        switch arguments.string("--positives") {
        case nil: break
        case "own-view": configuration.otherViewPositives = false
        case "other-view": configuration.otherViewPositives = true
        case let name?:
            throw UsageError(description: "option '--positives' must be own-view or other-view, got '\(name)'; run 'shoreline train --help'")
        }
        switch arguments.string("--negatives") {
        case nil: break
        case "batch": configuration.imageNegatives = true
        case "own-image": configuration.imageNegatives = false
        case let name?:
            throw UsageError(description: "option '--negatives' must be batch or own-image, got '\(name)'; run 'shoreline train --help'")
        }
        configuration.augmentation = augmentation
        return InfoSegMethod(configuration: configuration)
    }
}
