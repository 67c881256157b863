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

    /// The number of sub-heads of each head; above 1 the trainer calls
    /// `selectSubHeads` after the last step.
    var subHeadsPerHead: Int { get }

    /// Chooses, for a network with several sub-heads per head, one sub-head
    /// of each head by a label-free criterion over `batches` (IIC: the
    /// lowest mean loss), and moves it to the place that inference uses
    /// (with its moments in `optimizer`).
    /// - Returns: the chosen sub-head of each head with every sub-head's
    ///   mean loss, or an empty array for a method without sub-heads.
    func selectSubHeads(network: any ClusteringNetwork, batches: [ViewBatch], optimizer: Adam) -> [SubHeadSelection]
}

/// The two views of a batch of crops, as the trainer gives them to a method.
public struct ViewBatch {
    /// The normalised crops, `[N, C, S, S]`.
    public var first: Tensor
    /// The second views: `transform` applied to jittered crops.
    public var second: Tensor
    public var transform: GeometricTransform
    /// `[N, 1, S, S]`, 1 where a pixel and its counterpart are both valid.
    public var valid: Tensor
}

/// The sub-head of a head that training kept, with every sub-head's loss.
public struct SubHeadSelection: Codable, Equatable, Sendable {
    public var head: String
    /// The index of the kept sub-head before it was moved first.
    public var chosen: Int
    /// Each sub-head's mean loss over the selection batches.
    public var losses: [Float]
    /// Each sub-head's mean mutual information between the classes of the
    /// two views, nats, for a method that selects by it; nil otherwise.
    public var agreements: [Float]?

    public init(head: String, chosen: Int, losses: [Float], agreements: [Float]? = nil) {
        self.head = head
        self.chosen = chosen
        self.losses = losses
        self.agreements = agreements
    }
}

extension ClusteringMethod {
    /// Linear reflectance, unless a method prefers another scale.
    public var defaultInputScale: InputScale { .linear }

    /// One output per head, unless a method has sub-heads.
    public var subHeadsPerHead: Int { 1 }

    /// No selection: the method has one output per head.
    public func selectSubHeads(network: any ClusteringNetwork, batches: [ViewBatch], optimizer: Adam) -> [SubHeadSelection] { [] }
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
    public var subHeadsPerHead: Int { configuration.subHeads }

    /// The spectral shape (`InputScale.spectralShape`): without brightness,
    /// the clusters that keep the most information between views follow
    /// surface types, which differ in spectral shape, instead of illumination.
    public var defaultInputScale: InputScale { .spectralShape }

    public func makeNetwork(bands: Int, generator: inout SeededGenerator) -> any ClusteringNetwork {
        IICNetwork(bands: bands, width: configuration.width, clusterCounts: configuration.clusterCounts,
                   kernelSize: configuration.kernelSize, pool: configuration.pool, subHeads: configuration.subHeads,
                   generator: &generator)
    }

    /// Both views through the network, the second view's output turned back
    /// by `transform.invert`, and the IIC loss of each head: the mean of its
    /// sub-heads' losses, as the IIC authors' code averages them. The
    /// probabilities and mutual information recorded are the first sub-head's.
    public func objective(network: any ClusteringNetwork, first: Tensor, second: Tensor,
                          transform: GeometricTransform, valid: Tensor) -> [HeadObjective] {
        let terms = subHeadTerms(network: network, batch: ViewBatch(first: first, second: second, transform: transform, valid: valid))
        return zip(headNames, terms).map { name, subHeads in
            var total = subHeads[0].loss
            for term in subHeads.dropFirst() { total = total + term.loss }
            let loss = subHeads.count == 1 ? total : total * (1 / Float(subHeads.count))
            return HeadObjective(name: name, loss: loss, probabilities: subHeads[0].probabilities,
                                 mutualInformation: subHeads[0].mutualInformation)
        }
    }

    /// Returns the IIC loss of every sub-head, head by head.
    func subHeadTerms(network: any ClusteringNetwork, batch: ViewBatch) -> [[HeadObjective]] {
        let weights = [configuration.mainMarginalWeight, configuration.overclusteringMarginalWeight]
        let (firstOutputs, secondOutputs): ([[Tensor]], [[Tensor]])
        if let network = network as? IICNetwork {
            firstOutputs = network.subHeadProbabilities(batch.first)
            secondOutputs = network.subHeadProbabilities(batch.second).map { $0.map(batch.transform.invert) }
        } else {
            firstOutputs = network.headProbabilities(batch.first).map { [$0] }
            secondOutputs = network.headProbabilities(batch.second).map { [batch.transform.invert($0)] }
        }
        return headNames.indices.map { index in
            let loss = IICLoss(displacementRadius: configuration.displacementRadius, marginalWeight: weights[index])
            return zip(firstOutputs[index], secondOutputs[index]).map { first, second in
                let (joint, value) = loss.jointDistribution(first, second, valid: batch.valid)
                return HeadObjective(name: headNames[index], loss: value, probabilities: first,
                                     mutualInformation: Self.mutualInformation(joint.values, clusters: joint.shape[0]))
            }
        }
    }

    /// Keeps the sub-head of each head with the lowest mean loss over
    /// `batches`, as the IIC authors' code can (`select_sub_head_on_loss`).
    /// Sub-heads on one trunk can settle in different partitions, and the
    /// lowest loss is the highest mutual information, which needs no labels.
    public func selectSubHeads(network: any ClusteringNetwork, batches: [ViewBatch], optimizer: Adam) -> [SubHeadSelection] {
        guard let network = network as? IICNetwork, network.subHeads > 1, !batches.isEmpty else { return [] }
        var sums = headNames.map { _ in [Double](repeating: 0, count: network.subHeads) }
        for batch in batches {
            for (head, terms) in subHeadTerms(network: network, batch: batch).enumerated() {
                for (subHead, term) in terms.enumerated() { sums[head][subHead] += Double(term.loss.scalar) }
            }
        }
        return headNames.indices.map { head in
            let losses = sums[head].map { Float($0 / Double(batches.count)) }
            let chosen = losses.indices.min { losses[$0] < losses[$1] } ?? 0
            network.moveSubHeadFirst(head: head, subHead: chosen, optimizer: optimizer)
            return SubHeadSelection(head: headNames[head], chosen: chosen, losses: losses)
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
