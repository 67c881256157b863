import Clustering

/// The options of `shoreline train --method infoseg`.
extension TrainCommand {
    /// Options that only InfoSeg reads. `--clusters`, `--width`, `--affine`
    /// and `--jitter-gain` are shared with IIC.
    static let infoSegOptions = [
        OptionSpec("--feature-channels", value: "C", help: "infoseg: channels of the local and global features (default 32)"),
        OptionSpec("--segmentation-scale", value: "B", help: "infoseg: scale of the cosine similarities before the class softmax (default 10)"),
        OptionSpec("--temperature", value: "T", help: "infoseg: temperature of the InfoNCE softmax (default 0.1)"),
        OptionSpec("--marginal-weight", value: "W", help: "infoseg: weight of the marginal-entropy guard against collapse, 0 for none (default 1)"),
        OptionSpec("--same-view", .flag, help: "infoseg: contrast local features with their own view's class features, not the other view's"),
        OptionSpec("--other-view-positives", .flag, help: "infoseg: weight each pixel's positives by the other view's class probabilities at that pixel"),
        OptionSpec("--own-image-negatives", .flag, help: "infoseg: take negatives from the classes of a position's own image only, not from other images too"),
    ]

    /// Options that only IIC reads, rejected with `--method infoseg`.
    static let iicOnlyOptions = ["--overclusters", "--kernel-size", "--displacement", "--lambda", "--overclustering-lambda", "--head-schedule"]

    /// Builds InfoSeg's method from the command-line options.
    /// - Parameter augmentation: the second view's recipe, parsed with IIC's
    ///   options (`--affine`, `--jitter-gain`).
    /// - Throws: `UsageError` for an IIC-only option or a value out of range.
    static func infoSegMethod(_ arguments: ParsedArguments, augmentation: ViewAugmentation) throws -> InfoSegMethod {
        for name in iicOnlyOptions where arguments.string(name) != nil {
            throw UsageError(description: "option '\(name)' applies to --method iic only; drop it or use --method iic")
        }
        var configuration = InfoSegConfiguration()
        configuration.clusters = try arguments.integer("--clusters", default: configuration.clusters, in: 2...256)
        configuration.width = try arguments.integer("--width", default: configuration.width, in: 1...1024)
        configuration.featureChannels = try arguments.integer("--feature-channels", default: configuration.featureChannels, in: 1...1024)
        configuration.segmentationScale = Float(try arguments.decimal("--segmentation-scale", default: Double(configuration.segmentationScale), in: 0.01...1000))
        configuration.temperature = Float(try arguments.decimal("--temperature", default: Double(configuration.temperature), in: 0.001...100))
        configuration.marginalWeight = Float(try arguments.decimal("--marginal-weight", default: Double(configuration.marginalWeight), in: 0...10))
        configuration.crossView = !arguments.flag("--same-view")
        configuration.imageNegatives = !arguments.flag("--own-image-negatives")
        configuration.otherViewPositives = arguments.flag("--other-view-positives")
        configuration.augmentation = augmentation
        return InfoSegMethod(configuration: configuration)
    }
}
