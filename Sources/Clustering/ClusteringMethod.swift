import Foundation
import GeoRaster
import TensorEngine

/// A network that outputs cluster probabilities per head.
public protocol ClusteringNetwork: Module {
    /// `[N, K_k, H, W]` probabilities for each head, at the input's size.
    func headProbabilities(_ input: Tensor) -> [Tensor]
}

extension IICNetwork: ClusteringNetwork {}

/// The loss of one head for one step, with what the log records of it.
public struct HeadObjective {
    public var name: String
    /// The scalar this head adds to the loss.
    public var loss: Tensor
    /// The first view's probabilities, `[N, K, H, W]`, for cluster usage.
    public var probabilities: Tensor
    /// The mutual information between the two views' clusters, in nats, or
    /// nil when the method does not measure it.
    public var mutualInformation: Float?

    public init(name: String, loss: Tensor, probabilities: Tensor, mutualInformation: Float? = nil) {
        self.name = name
        self.loss = loss
        self.probabilities = probabilities
        self.mutualInformation = mutualInformation
    }
}

/// A deep clustering method the trainer can run: it makes the network, the
/// objective of two views, and the inference model. The trainer owns
/// everything else (data, views, optimiser, checkpoints, logs), so a method
/// such as InfoSeg plugs in by conforming to this protocol and adding its
/// case to `TrainedModelLoader`.
public protocol ClusteringMethod {
    /// The name stored in `config.json`, such as `iic`.
    var name: String { get }
    /// The names of the heads, main first.
    var headNames: [String] { get }
    /// The recipe for the second view of each crop.
    var augmentation: ViewAugmentation { get }
    /// The input scale of a run whose options name none.
    var defaultInputScale: InputScale { get }

    /// Makes a freshly initialised network for `bands` input channels.
    func makeNetwork(bands: Int, generator: inout SeededGenerator) -> any ClusteringNetwork

    /// Computes the objective of one step: one term per head, which the trainer sums.
    /// - Parameters:
    ///   - first: the normalised crops, `[N, C, S, S]`.
    ///   - second: the second views, `transform` applied to jittered crops.
    ///   - valid: `[N, 1, S, S]`, 1 where a pixel and its counterpart in the
    ///     second view are both valid.
    func objective(network: any ClusteringNetwork, first: Tensor, second: Tensor,
                   transform: GeometricTransform, valid: Tensor) -> [HeadObjective]

    /// Stores the method's settings in a run configuration.
    func record(in configuration: inout RunConfiguration)
}

extension ClusteringMethod {
    /// Linear reflectance, unless a method prefers another scale.
    public var defaultInputScale: InputScale { .linear }
}

/// IIC: the network of `IICNetwork` and the loss of `IICLoss` on each head.
public struct IICMethod: ClusteringMethod {
    public var configuration: IICConfiguration

    public init(configuration: IICConfiguration = IICConfiguration()) {
        self.configuration = configuration
    }

    public var name: String { "iic" }
    public var headNames: [String] { configuration.headNames }
    public var augmentation: ViewAugmentation { configuration.augmentation }

    /// The spectral shape (`InputScale.spectralShape`): without brightness,
    /// the clusters that keep the most information between views follow
    /// surface types, which differ in spectral shape, instead of illumination.
    public var defaultInputScale: InputScale { .spectralShape }

    public func makeNetwork(bands: Int, generator: inout SeededGenerator) -> any ClusteringNetwork {
        IICNetwork(bands: bands, width: configuration.width, clusterCounts: configuration.clusterCounts,
                   kernelSize: configuration.kernelSize, generator: &generator)
    }

    /// Both views through the network, the second view's output turned back
    /// by `transform.invert`, and the IIC loss of each head.
    public func objective(network: any ClusteringNetwork, first: Tensor, second: Tensor,
                          transform: GeometricTransform, valid: Tensor) -> [HeadObjective] {
        let firstOutputs = network.headProbabilities(first)
        let secondOutputs = network.headProbabilities(second).map(transform.invert)
        let weights = [configuration.mainMarginalWeight, configuration.overclusteringMarginalWeight]
        return zip(headNames.indices, zip(firstOutputs, secondOutputs)).map { index, outputs in
            let loss = IICLoss(displacementRadius: configuration.displacementRadius, marginalWeight: weights[index])
            let (joint, value) = loss.jointDistribution(outputs.0, outputs.1, valid: valid)
            return HeadObjective(name: headNames[index], loss: value, probabilities: outputs.0,
                                 mutualInformation: Self.mutualInformation(joint.values, clusters: joint.shape[0]))
        }
    }

    public func record(in configuration: inout RunConfiguration) {
        configuration.iic = self.configuration
    }

    /// Computes the mutual information of a `K x K` joint distribution, in nats:
    /// ```
    /// I = Σ_ij P[i,j] · log(P[i,j] / (P_i · P_j))
    /// ```
    static func mutualInformation(_ joint: [Float], clusters: Int) -> Float {
        var rows = [Double](repeating: 0, count: clusters), columns = rows
        for i in 0..<clusters { for j in 0..<clusters {
            rows[i] += Double(joint[i * clusters + j])
            columns[j] += Double(joint[i * clusters + j])
        } }
        var information = 0.0
        for i in 0..<clusters { for j in 0..<clusters {
            let p = Double(joint[i * clusters + j])
            if p > 0 && rows[i] > 0 && columns[j] > 0 { information += p * Foundation.log(p / (rows[i] * columns[j])) }
        } }
        return Float(information)
    }
}
