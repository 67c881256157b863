import Foundation

extension RunConfiguration {
    /// Checks the values of a read `config.json` before a network is built
    /// from them. A hand-edited or corrupt file could otherwise trap in a
    /// precondition (0 clusters), allocate without bound (a width of a
    /// million channels) or normalise by a zero deviation into NaN.
    /// The ranges are those `shoreline train` accepts.
    /// - Throws: `ClusteringError.invalidRun` naming the key and its value.
    func validate(run: URL) throws {
        func check(_ condition: Bool, _ key: String, _ value: Any, _ expected: String) throws {
            guard condition else {
                throw ClusteringError.invalidRun(run.path, reason: "\(Self.fileName) is malformed: key '\(key)' is '\(value)', expected \(expected)")
            }
        }

        // Bands and their statistics.
        try check(!bands.isEmpty && bands.count <= 64, "bands", bands.count, "1 to 64 band names")
        try check(statistics.bands == bands, "statistics.bands", statistics.bands.joined(separator: ","), "the bands \(bands.joined(separator: ","))")
        try check(statistics.means.count == bands.count, "statistics.means", statistics.means.count, "\(bands.count) values")
        try check(statistics.standardDeviations.count == bands.count, "statistics.standard_deviations",
                  statistics.standardDeviations.count, "\(bands.count) values")
        for (index, mean) in statistics.means.enumerated() {
            try check(mean.isFinite, "statistics.means[\(index)]", mean, "a finite number")
        }
        for (index, deviation) in statistics.standardDeviations.enumerated() {
            try check(deviation.isFinite && deviation > 0, "statistics.standard_deviations[\(index)]", deviation, "a positive number")
        }

        // Training settings.
        try check((8...4096).contains(training.crop) && training.crop % 2 == 0, "training.crop", training.crop, "an even number from 8 to 4096")
        try check((1...1024).contains(training.batch), "training.batch", training.batch, "1 to 1024")
        try check(training.steps >= 1, "training.steps", training.steps, "at least 1")
        try check((1...256).contains(training.threads), "training.threads", training.threads, "1 to 256")
        try check(training.checkpointInterval >= 1, "training.checkpoint_interval", training.checkpointInterval, "at least 1")
        try check(training.learningRate.isFinite && training.learningRate > 0, "training.learning_rate", training.learningRate, "a positive number")

        // Method settings.
        if let iic {
            try check((2...256).contains(iic.clusters), "iic.clusters", iic.clusters, "2 to 256")
            try check(iic.overclusters == 0 || (2...1024).contains(iic.overclusters), "iic.overclusters", iic.overclusters, "0, or 2 to 1024")
            try check((1...1024).contains(iic.width), "iic.width", iic.width, "1 to 1024")
            try check(IICConfiguration.kernelSizes.contains(iic.kernelSize), "iic.kernel_size", iic.kernelSize, "1 or 3")
            try check((1...64).contains(iic.subHeads), "iic.sub_heads", iic.subHeads, "1 to 64")
            try check((0...training.crop / 2).contains(iic.displacementRadius), "iic.displacement_radius", iic.displacementRadius,
                      "0 to half the crop, \(training.crop / 2)")
            for (key, weight) in [("iic.main_marginal_weight", iic.mainMarginalWeight),
                                  ("iic.overclustering_marginal_weight", iic.overclusteringMarginalWeight)] {
                try check(weight.isFinite && weight >= 0, key, weight, "a number of at least 0")
            }
        }
        if let infoseg {
            try check((2...256).contains(infoseg.clusters), "infoseg.clusters", infoseg.clusters, "2 to 256")
            try check((1...1024).contains(infoseg.width), "infoseg.width", infoseg.width, "1 to 1024")
            try check((1...1024).contains(infoseg.featureChannels), "infoseg.feature_channels", infoseg.featureChannels, "1 to 1024")
            for (key, value) in [("infoseg.segmentation_scale", infoseg.segmentationScale), ("infoseg.temperature", infoseg.temperature)] {
                try check(value.isFinite && value > 0, key, value, "a positive number")
            }
            try check(infoseg.marginalWeight.isFinite && infoseg.marginalWeight >= 0, "infoseg.marginal_weight", infoseg.marginalWeight,
                      "a number of at least 0")
            try check(InfoSegConfiguration.kernelSizes.contains(infoseg.kernelSize), "infoseg.kernel_size", infoseg.kernelSize, "1 or 3")
            try check((1...64).contains(infoseg.subHeads), "infoseg.sub_heads", infoseg.subHeads, "1 to 64")
        }
    }
}
