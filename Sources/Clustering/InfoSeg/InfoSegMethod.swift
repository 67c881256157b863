import GeoRaster
import TensorEngine

/// InfoSeg as a `ClusteringMethod`: the network of `InfoSegNetwork` and the
/// objective of `InfoSegObjective`, one head named `main`.
///
/// One training step runs the segmentation step on both views (class
/// probabilities from the global and local features), then the
/// mutual-information step (class features from those probabilities,
/// InfoNCE and the guard), and one gradient step through both.
///
/// NOTE: InfoSeg (Harb and Knöbelreiter, GCPR 2021) alternates the two steps
/// and does not state whether the probabilities of the segmentation step are
/// held fixed during the mutual-information step. Here gradients flow through them, so the global
/// branch learns from the mutual-information objective in the same step; a
/// step is the alternation segmentation → mutual information, repeated.
public struct InfoSegMethod: ClusteringMethod {
    public var configuration: InfoSegConfiguration

    public init(configuration: InfoSegConfiguration = InfoSegConfiguration()) {
        self.configuration = configuration
    }

    public var name: String { "infoseg" }
    public var headNames: [String] { configuration.headNames }
    public var augmentation: ViewAugmentation { configuration.augmentation }
    public var defaultInputScale: InputScale { InfoSegConfiguration.defaultInputScale }

    public var objectiveFunction: InfoSegObjective {
        InfoSegObjective(temperature: configuration.temperature, marginalWeight: configuration.marginalWeight,
                         imageNegatives: configuration.imageNegatives)
    }

    public func makeNetwork(bands: Int, generator: inout SeededGenerator) -> any ClusteringNetwork {
        InfoSegNetwork(bands: bands, configuration: configuration, generator: &generator)
    }

    public var subHeadsPerHead: Int { configuration.subHeads }

    /// Both views through the network, then the objective of each view's
    /// local features against the class features of the other view (or its
    /// own without `crossView`), averaged. With several sub-heads the loss is
    /// the mean of theirs, and the probabilities and bound recorded are the
    /// first sub-head's.
    public func objective(network: any ClusteringNetwork, first: Tensor, second: Tensor,
                          transform: GeometricTransform, valid: Tensor) -> [HeadObjective] {
        let terms = subHeadTerms(network: network, batch: ViewBatch(first: first, second: second, transform: transform, valid: valid))
        var total = terms[0].loss
        for term in terms.dropFirst() { total = total + term.loss }
        return [HeadObjective(name: "main", loss: terms.count == 1 ? total : total * (1 / Float(terms.count)),
                              probabilities: terms[0].probabilities.resized(height: first.shape[2], width: first.shape[3]),
                              mutualInformation: terms[0].bound)]
    }

    /// One sub-head's part of a step.
    struct SubHeadTerms {
        /// The loss, averaged over the two views.
        var loss: Tensor
        /// The first view's class probabilities at the local resolution.
        var probabilities: Tensor
        /// The InfoNCE bound on the mutual information, averaged over the two views, nats.
        var bound: Float
        /// The mutual information between the two views' classes at the
        /// same pixels, nats (see `crossViewInformation`), when measured.
        var agreement: Float?
    }

    /// Runs the segmentation and mutual-information steps of every sub-head
    /// of `network` on the two views of `batch`, measuring the agreement of
    /// the views when `measuringAgreement`.
    func subHeadTerms(network: any ClusteringNetwork, batch: ViewBatch, measuringAgreement: Bool = false) -> [SubHeadTerms] {
        guard let network = network as? InfoSegNetwork else {
            preconditionFailure("InfoSeg needs an InfoSegNetwork, got \(type(of: network))")
        }
        let objective = objectiveFunction
        let (first, second, transform) = (batch.first, batch.second, batch.transform)
        let (height, width) = (first.shape[2], first.shape[3])
        let subHeadViews = zip(network.forwardSubHeads(first), network.forwardSubHeads(second)).map { [$0, $1] }
        let secondValid = withNoGradient { transform.apply(batch.valid) }
        let validity = [batch.valid, secondValid].map { InfoSegObjective.localValidity($0, halved: network.poolsTrunk) }
        return subHeadViews.map { views in
            let classFeatures = zip(views, validity).map { view, valid in
                objective.classFeatures(localFeatures: view.localFeatures, probabilities: view.probabilities, valid: valid.mask)
            }
            // Each view's probabilities on the other view's pixels, needed for other-view positives and for the agreement.
            let aligned = configuration.otherViewPositives || measuringAgreement
                ? Self.alignedProbabilities(views.map(\.probabilities), transform: transform, height: height, width: width)
                : [nil, nil]
            let positiveWeights = configuration.otherViewPositives ? aligned : [nil, nil]
            let terms = (0..<2).map { index in
                objective.terms(localFeatures: views[index].localFeatures, probabilities: views[index].probabilities,
                                validFlags: validity[index].flags,
                                classFeatures: classFeatures[configuration.crossView ? 1 - index : index],
                                positiveWeights: positiveWeights[index])
            }
            let agreement = !measuringAgreement ? nil : withNoGradient {
                Self.crossViewInformation(views[0].probabilities, aligned[0]!, valid: validity[0].mask)
            }
            return SubHeadTerms(loss: (terms[0].loss + terms[1].loss) * 0.5, probabilities: views[0].probabilities,
                                bound: (terms[0].mutualInformationBound + terms[1].mutualInformationBound) / 2,
                                agreement: agreement)
        }
    }

    /// Computes the mutual information between the classes of two views at
    /// the same valid positions, in nats: IIC's objective without
    /// displacements, on InfoSeg's class probabilities,
    /// ```
    /// J[k,k'] = Σ_{n,p} m[n,p] P[n,k,p] P'[n,k',p] / M,  symmetrised
    /// I = Σ_{k,k'} J[k,k'] · log(J[k,k'] / (J_k · J_k'))
    /// ```
    /// - Parameters:
    ///   - first: P, `[N, K, h, w]`.
    ///   - second: P' on the same positions, `[N, K, h, w]`.
    ///   - valid: m, `[N, 1, h, w]` of 0 and 1.
    static func crossViewInformation(_ first: Tensor, _ second: Tensor, valid: Tensor) -> Float {
        let (joint, _) = IICLoss(displacementRadius: 0, marginalWeight: 1).jointDistribution(first, second, valid: valid)
        return IICMethod.mutualInformation(joint.values, clusters: joint.shape[0])
    }

    /// Keeps the sub-head whose two views' classes share the most
    /// information over `batches` (`crossViewInformation`), and moves it
    /// first with its moments in `optimizer`.
    public func selectSubHeads(network: any ClusteringNetwork, batches: [ViewBatch], optimizer: Adam) -> [SubHeadSelection] {
        guard let network = network as? InfoSegNetwork, network.subHeads > 1, !batches.isEmpty else { return [] }
        var losses = [Double](repeating: 0, count: network.subHeads), agreements = losses
        for batch in batches {
            for (subHead, terms) in withNoGradient({ subHeadTerms(network: network, batch: batch, measuringAgreement: true) }).enumerated() {
                losses[subHead] += Double(terms.loss.scalar) / Double(batches.count)
                agreements[subHead] += Double(terms.agreement ?? 0) / Double(batches.count)
            }
        }
        let chosen = agreements.indices.max { agreements[$0] < agreements[$1] } ?? 0
        network.moveSubHeadFirst(chosen, optimizer: optimizer)
        return [SubHeadSelection(head: "main", chosen: chosen, losses: losses.map { Float($0) },
                                 agreements: agreements.map { Float($0) })]
    }

    /// Moves each view's class probabilities onto the other view's pixels at
    /// their own resolution: the second view's turned back by
    /// `transform.invert` for the first, the first's turned by
    /// `transform.apply` for the second. Flips and turns move maps of any
    /// resolution exactly. A warp is defined in crop pixels, so warped maps
    /// below the crop's size are moved at the crop's size and brought back
    /// by bilinear resampling (a 2x2 mean from double size).
    static func alignedProbabilities(_ probabilities: [Tensor], transform: GeometricTransform,
                                     height: Int, width: Int) -> [Tensor?] {
        guard transform.affine != nil else {
            return [transform.invert(probabilities[1]), transform.apply(probabilities[0])]
        }
        let (localHeight, localWidth) = (probabilities[0].shape[2], probabilities[0].shape[3])
        let full = probabilities.map { $0.resized(height: height, width: width) }
        return [transform.invert(full[1]).resized(height: localHeight, width: localWidth),
                transform.apply(full[0]).resized(height: localHeight, width: localWidth)]
    }

    public func record(in configuration: inout RunConfiguration) {
        configuration.infoseg = self.configuration
    }
}
