import Foundation
import TensorEngine

/// Checkpoints of a training run: the network's state dictionary, Adam's
/// moments under `optimizer.first_moment.<parameter>` and
/// `optimizer.second_moment.<parameter>`, and the step in the metadata.
/// The crops and views of later steps depend only on the seed and the step
/// (see `ClusteringTrainer`), so this is all a resumed run needs.
enum TrainingCheckpoint {
    static let optimizerPrefix = "optimizer."

    /// Writes a checkpoint under a temporary name, then renames it.
    static func save(_ url: URL, network: any ClusteringNetwork, optimizer: Adam, parameterNames: [String], step: Int,
                     metadata extra: [String: String] = [:]) throws {
        var arrays = network.stateDictionary.map { NamedArray(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.values) }
        for (index, name) in parameterNames.enumerated() {
            arrays.append(NamedArray(name: "\(optimizerPrefix)first_moment.\(name)", shape: optimizer.firstMoments[index].shape,
                                     values: optimizer.firstMoments[index].values))
            arrays.append(NamedArray(name: "\(optimizerPrefix)second_moment.\(name)", shape: optimizer.secondMoments[index].shape,
                                     values: optimizer.secondMoments[index].values))
        }
        let metadata = ["step": String(step), "optimizer_step": String(optimizer.stepCount)].merging(extra) { first, _ in first }
        try SafetensorsFile(arrays: arrays, metadata: metadata).write(to: url)
    }

    /// Loads the network's state (and the optimiser's, when given) from a checkpoint.
    /// - Throws: `CheckpointError` for unreadable files or tensors that do
    ///   not match the network.
    static func load(_ url: URL, network: any ClusteringNetwork, optimizer: Adam?, parameterNames: [String]) throws {
        var file = try SafetensorsFile(contentsOf: url)
        let optimizerArrays = file.arrays.filter { $0.name.hasPrefix(optimizerPrefix) }
        file.arrays.removeAll { $0.name.hasPrefix(optimizerPrefix) }
        let state = network.stateDictionary
        let arrays = try file.arrays(matching: Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor.shape) }))
        for (name, tensor) in state { tensor.assign(arrays[name]!.values) }
        guard let optimizer else { return }

        var expected: [String: [Int]] = [:]
        for (index, name) in parameterNames.enumerated() {
            expected["\(optimizerPrefix)first_moment.\(name)"] = optimizer.firstMoments[index].shape
            expected["\(optimizerPrefix)second_moment.\(name)"] = optimizer.secondMoments[index].shape
        }
        let moments = try SafetensorsFile(arrays: optimizerArrays).arrays(matching: expected)
        for (index, name) in parameterNames.enumerated() {
            optimizer.firstMoments[index].assign(moments["\(optimizerPrefix)first_moment.\(name)"]!.values)
            optimizer.secondMoments[index].assign(moments["\(optimizerPrefix)second_moment.\(name)"]!.values)
        }
        optimizer.restore(stepCount: Int(file.metadata["optimizer_step"] ?? "") ?? 0)
    }
}
