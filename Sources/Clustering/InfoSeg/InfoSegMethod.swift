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

    /// Both views through the network, then the objective of each view's
    /// local features against the class features of the other view (or its
    /// own without `crossView`), averaged.
    public func objective(network: any ClusteringNetwork, first: Tensor, second: Tensor,
                          transform: GeometricTransform, valid: Tensor) -> [HeadObjective] {
        guard let network = network as? InfoSegNetwork else {
            preconditionFailure("InfoSeg needs an InfoSegNetwork, got \(type(of: network))")
        }
        let objective = objectiveFunction
        let views = [network.forward(first), network.forward(second)]
        let secondValid = withNoGradient { transform.apply(valid) }
        let validity = [InfoSegObjective.halfResolutionValidity(valid),
                        InfoSegObjective.halfResolutionValidity(secondValid)]
        let classFeatures = zip(views, validity).map { view, valid in
            objective.classFeatures(localFeatures: view.localFeatures, probabilities: view.probabilities, valid: valid.mask)
        }
        let (height, width) = (first.shape[2], first.shape[3])
        let positiveWeights = configuration.otherViewPositives
            ? Self.alignedProbabilities(views.map(\.probabilities), transform: transform, height: height, width: width)
            : [nil, nil]
        let terms = (0..<2).map { index in
            objective.terms(localFeatures: views[index].localFeatures, probabilities: views[index].probabilities,
                            validFlags: validity[index].flags,
                            classFeatures: classFeatures[configuration.crossView ? 1 - index : index],
                            positiveWeights: positiveWeights[index])
        }
        return [HeadObjective(name: "main", loss: (terms[0].loss + terms[1].loss) * 0.5,
                              probabilities: views[0].probabilities.resizedBilinear(height: height, width: width),
                              mutualInformation: (terms[0].mutualInformationBound + terms[1].mutualInformationBound) / 2)]
    }

    /// Moves each view's class probabilities onto the other view's pixels at
    /// half resolution: the second view's turned back by `transform.invert`
    /// for the first, the first's turned by `transform.apply` for the second.
    /// Flips and turns move the half-resolution maps exactly. A warp is
    /// defined in crop pixels, so warped maps are moved at the crop's size
    /// and halved again by bilinear resampling (a 2x2 mean).
    static func alignedProbabilities(_ probabilities: [Tensor], transform: GeometricTransform,
                                     height: Int, width: Int) -> [Tensor?] {
        guard transform.affine != nil else {
            return [transform.invert(probabilities[1]), transform.apply(probabilities[0])]
        }
        let (localHeight, localWidth) = (probabilities[0].shape[2], probabilities[0].shape[3])
        let full = probabilities.map { $0.resizedBilinear(height: height, width: width) }
        return [transform.invert(full[1]).resizedBilinear(height: localHeight, width: localWidth),
                transform.apply(full[0]).resizedBilinear(height: localHeight, width: localWidth)]
    }

    public func record(in configuration: inout RunConfiguration) {
        configuration.infoseg = self.configuration
    }
}
