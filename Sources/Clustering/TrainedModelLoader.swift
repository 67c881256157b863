import Foundation
import TensorEngine

/// A trained network in inference mode with the normalisation statistics
/// it was trained with.
///
/// Calls must come from one thread at a time, because the network caches
/// reordered weights on first use.
public final class TrainedClusteringModel: SegmentationModel {
    public let configuration: RunConfiguration
    public let network: any ClusteringNetwork
    public let headNames: [String]
    public let clusterCounts: [Int]
    public let receptiveField: Int

    /// Wraps a network, switching it to inference (running batch-norm statistics).
    public init(configuration: RunConfiguration, network: any ClusteringNetwork, headNames: [String],
                clusterCounts: [Int], receptiveField: Int) {
        self.configuration = configuration
        self.network = network
        self.headNames = headNames
        self.clusterCounts = clusterCounts
        self.receptiveField = receptiveField
        network.setTraining(false)
    }

    public var bands: [String] { configuration.bands }

    /// Cluster probabilities of every head; odd sides are padded by one
    /// pixel for the network's pool, and the padding is cut off again.
    public func clusterProbabilities(reflectance: [Float], valid: [Bool], height: Int, width: Int) -> [[Float]] {
        headOutputs(reflectance: reflectance, valid: valid, height: height, width: width).map {
            cropped($0, height: height, width: width)
        }
    }

    /// Cluster probabilities of one head, copied out of the network's output
    /// alone (the network still computes every head).
    public func clusterProbabilities(reflectance: [Float], valid: [Bool], height: Int, width: Int, head: Int) -> [Float] {
        precondition(headNames.indices.contains(head), "head \(head) is not one of \(headNames)")
        return cropped(headOutputs(reflectance: reflectance, valid: valid, height: height, width: width)[head],
                       height: height, width: width)
    }

    /// Runs the network on a window padded to even sides.
    /// - Returns: one `[1, K, paddedHeight, paddedWidth]` tensor per head.
    private func headOutputs(reflectance: [Float], valid: [Bool], height: Int, width: Int) -> [Tensor] {
        let bandCount = bands.count
        precondition(reflectance.count == bandCount * height * width && valid.count == height * width,
                     "model needs \(bandCount) x \(height) x \(width) reflectance and \(height) x \(width) flags, got \(reflectance.count) and \(valid.count)")
        var normalised = reflectance
        configuration.inputScale.apply(&normalised, bandCount: bandCount)
        configuration.statistics.normalise(&normalised, valid: valid)

        // Pad to even sides with zeros (the band means).
        let (paddedHeight, paddedWidth) = (height + height % 2, width + width % 2)
        var input = normalised
        if paddedHeight != height || paddedWidth != width {
            input = [Float](repeating: 0, count: bandCount * paddedHeight * paddedWidth)
            for band in 0..<bandCount {
                for row in 0..<height {
                    let from = (band * height + row) * width, to = (band * paddedHeight + row) * paddedWidth
                    input[to..<(to + width)] = normalised[from..<(from + width)]
                }
            }
        }
        return withNoGradient {
            network.headProbabilities(Tensor(shape: [1, bandCount, paddedHeight, paddedWidth], values: input))
        }
    }

    /// Returns a head's values with the padding rows and columns cut off.
    private func cropped(_ output: Tensor, height: Int, width: Int) -> [Float] {
        let (k, paddedHeight, paddedWidth) = (output.shape[1], output.shape[2], output.shape[3])
        let values = output.values
        guard paddedHeight != height || paddedWidth != width else { return values }
        var cropped = [Float](repeating: 0, count: k * height * width)
        for cluster in 0..<k {
            for row in 0..<height {
                let from = (cluster * paddedHeight + row) * paddedWidth, to = (cluster * height + row) * width
                cropped[to..<(to + width)] = values[from..<(from + width)]
            }
        }
        return cropped
    }
}

/// Loads the model a training run produced, whatever its method.
public enum TrainedModelLoader {
    /// Reads `run/config.json` and `run/checkpoints/final.safetensors` (or
    /// the newest step checkpoint when the run has no final one yet).
    /// - Parameter checkpoint: a checkpoint of the run to load instead, such
    ///   as an earlier step when the final one is damaged.
    /// - Throws: `ClusteringError.invalidRun` or `.unknownMethod` for a bad
    ///   run folder or a missing `checkpoint`, `CheckpointError` for a
    ///   checkpoint that does not match.
    public static func load(run: URL, checkpoint chosen: URL? = nil) throws -> any SegmentationModel {
        let configuration = try RunConfiguration.read(run: run)
        var checkpoint = chosen ?? RunFolder.final(run)
        if let chosen, !FileManager.default.fileExists(atPath: chosen.path) {
            throw ClusteringError.invalidRun(run.path, reason: "checkpoint '\(chosen.path)' does not exist; give a file of its checkpoints folder")
        }
        if !FileManager.default.fileExists(atPath: checkpoint.path) {
            guard let newest = RunFolder.newestCheckpoint(run) else {
                throw ClusteringError.invalidRun(run.path, reason: "it has no checkpoint in \(RunFolder.checkpoints(run).path)")
            }
            checkpoint = newest.url
        }

        // Builds the method's network with the run's band count and fills it from the checkpoint.
        func model(_ method: any ClusteringMethod, clusterCounts: [Int], receptiveField: Int) throws -> TrainedClusteringModel {
            var generator = SeededGenerator(seed: 0)
            let network = method.makeNetwork(bands: configuration.bands.count, generator: &generator)
            do {
                try TrainingCheckpoint.load(checkpoint, network: network, optimizer: nil, parameterNames: [])
            } catch CheckpointError.tensorsMismatch(let missing, let unexpected, let misshaped) {
                // A hand-edited config.json (another sub-head count, width, ...) builds another network.
                let names = (unexpected + missing + misshaped.map(\.tensor)).prefix(3).map { "'\($0)'" }.joined(separator: ", ")
                throw ClusteringError.invalidRun(run.path, reason: "\(RunConfiguration.fileName) does not match checkpoint '\(checkpoint.path)': tensors \(names) differ; restore the \(RunConfiguration.fileName) that training wrote")
            }
            return TrainedClusteringModel(configuration: configuration, network: network, headNames: method.headNames,
                                          clusterCounts: clusterCounts, receptiveField: receptiveField)
        }

        switch configuration.method {
        case "iic":
            guard let settings = configuration.iic else {
                throw ClusteringError.invalidRun(run.path, reason: "\(RunConfiguration.fileName) has no 'iic' settings")
            }
            return try model(IICMethod(configuration: settings), clusterCounts: settings.clusterCounts,
                             receptiveField: IICNetwork.receptiveField(kernelSize: settings.kernelSize, pool: settings.pool))
        case "infoseg":
            guard let settings = configuration.infoseg else {
                throw ClusteringError.invalidRun(run.path, reason: "\(RunConfiguration.fileName) has no 'infoseg' settings")
            }
            return try model(InfoSegMethod(configuration: settings), clusterCounts: settings.clusterCounts,
                             receptiveField: InfoSegNetwork.receptiveField(kernelSize: settings.kernelSize, pool: settings.pool))
        default:
            throw ClusteringError.unknownMethod(configuration.method, run: run.path)
        }
    }
}
