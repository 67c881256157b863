import Foundation
import TensorEngine

/// The mutual-information step of InfoSeg (Harb and Knöbelreiter, GCPR
/// 2021) with a marginal-entropy guard against collapse.
///
/// Shape legend: N images, K classes, C feature channels, p a local position,
/// m[n,p] ∈ {0, 1} the valid mask at the local resolution, M = Σ m. From the
/// segmentation step's probabilities P and unit-length local features L̂, a
/// class feature per image and class is the probability-weighted mean of the
/// local features, scaled to unit length:
/// ```
/// g[n,k] = Σ_p m[n,p] P[n,k,p] L̂[n,p] / (Σ_p m[n,p] P[n,k,p] + ε),   ĝ = g / ‖g‖
/// ```
/// Each valid local feature is scored against all N·K class features with
/// temperature τ. InfoNCE counts the class features of its own image as
/// positives, weighted by its class probabilities. The other classes of its
/// image and every class of the other images are the negatives:
/// ```
/// z[n,p; n',k] = ⟨L̂[n,p], ĝ[n',k]⟩ / τ
/// L_MI   = -(1/M) Σ_{n,p} m[n,p] Σ_k P[n,k,p] · log softmax_{n',k'}(z[n,p; ·])[n,k]
/// P̄_k    = (1/M) Σ_{n,p} m[n,p] P[n,k,p]
/// loss   = L_MI + λ Σ_k P̄_k log P̄_k
/// ```
/// With `imageNegatives` false, the softmax runs over the K classes of the
/// position's own image only, and log K replaces log(N·K) below.
///
/// log(N·K) - L_MI is the InfoNCE lower bound on the mutual information
/// between a local feature and its class feature, in nats; it reaches log(N·K)
/// when every local feature equals its own class feature and the class
/// features are orthogonal (as τ → 0), and is 0 when all features coincide.
/// The second term is -λ times the entropy of the mean class distribution.
///
/// NOTE: the paper takes a pixel's own class as its positive; the positive
/// here is the expectation over the pixel's class probabilities, so the
/// objective is differentiable in P.
/// NOTE: the marginal-entropy guard is not in the paper; without it every
/// class collapsed into one within about 100 steps in a PyTorch trial on
/// Sentinel-2 chips, since InfoNCE still falls by telling the images apart.
/// NOTE: with `crossView`, the local features of each view are contrasted
/// with the class features of the other view (the two terms averaged), which
/// asks the class features to be invariant to the augmentation; the paper
/// uses one view.
public struct InfoSegObjective {
    /// τ of the InfoNCE softmax.
    public var temperature: Float
    /// λ of the marginal-entropy guard.
    public var marginalWeight: Float
    /// Whether the class features of the other images are negatives; when
    /// false, the softmax runs over the K classes of the position's own image.
    public var imageNegatives: Bool
    /// The floor of probabilities before the logarithm and of class weights.
    public var epsilon: Float

    public init(temperature: Float, marginalWeight: Float, imageNegatives: Bool = true, epsilon: Float = 1e-8) {
        precondition(temperature > 0, "InfoSeg temperature must be > 0, got \(temperature)")
        self.temperature = temperature
        self.marginalWeight = marginalWeight
        self.imageNegatives = imageNegatives
        self.epsilon = epsilon
    }

    /// The terms of the objective, scalars.
    public struct Terms {
        /// L_MI, nats.
        public var contrastive: Tensor
        /// Σ_k P̄_k log P̄_k, the negative entropy of the mean class distribution.
        public var negativeMarginalEntropy: Tensor
        /// L_MI + λ · negativeMarginalEntropy.
        public var loss: Tensor
        /// log(N·K) - L_MI, nats.
        public var mutualInformationBound: Float
    }

    /// Computes the class features ĝ of each image, `[N·K, C]`, image-major.
    /// - Parameters:
    ///   - localFeatures: L̂, `[N, C, h, w]`.
    ///   - probabilities: P, `[N, K, h, w]`.
    ///   - valid: m, `[N, 1, h, w]` of 0 and 1.
    public func classFeatures(localFeatures: Tensor, probabilities: Tensor, valid: Tensor) -> Tensor {
        let (n, k, h, w) = (probabilities.shape[0], probabilities.shape[1], probabilities.shape[2], probabilities.shape[3])
        precondition(localFeatures.shape.count == 4 && localFeatures.shape[0] == n && localFeatures.shape[2...] == probabilities.shape[2...],
                     "InfoSeg class features need local features [\(n), C, \(h), \(w)] for probabilities \(probabilities.shape), got \(localFeatures.shape)")
        let weights = probabilities * valid

        // Numerators: each image's weights times its own local features, [N, K, C].
        let sums = weights.reshaped([n, k, h * w])
            .batchedMatmul(localFeatures.reshaped([n, localFeatures.shape[1], h * w]), transposeOther: true)
            .reshaped([n * k, localFeatures.shape[1]])
        let totals = weights.sum(alongAxes: [2, 3]).reshaped([n * k, 1]).affine(scale: 1, offset: epsilon)
        return (sums * totals.pow(-1)).normalisedAlongChannels()
    }

    /// Computes the objective of one view's local features against class features.
    /// - Parameters:
    ///   - localFeatures: L̂, `[N, C, h, w]`, unit length along C.
    ///   - probabilities: P, `[N, K, h, w]`.
    ///   - validFlags: m as `N·h·w` flags.
    ///   - classFeatures: ĝ, `[N·K, C]`, unit length.
    ///   - positiveWeights: the class probabilities that weight the
    ///     positives, `[N, K, h, w]`; nil for `probabilities` itself.
    public func terms(localFeatures: Tensor, probabilities: Tensor, validFlags: [Bool], classFeatures: Tensor,
                      positiveWeights: Tensor? = nil) -> Terms {
        let (n, k) = (probabilities.shape[0], probabilities.shape[1])
        precondition(classFeatures.shape == [n * k, localFeatures.shape[1]],
                     "InfoSeg needs class features [\(n * k), \(localFeatures.shape[1])], got \(classFeatures.shape)")
        let selected = validFlags.filter { $0 }.count
        guard selected > 0 else {
            let zero = probabilities.sum() * 0
            return Terms(contrastive: zero, negativeMarginalEntropy: zero, loss: zero, mutualInformationBound: 0)
        }

        let classes = probabilities.selectingPixels(where: validFlags)  // [M, K]
        let weights = positiveWeights.map { $0.selectingPixels(where: validFlags) } ?? classes
        let contrastive: Tensor
        if imageNegatives {
            // Scores of every valid position against all N·K class features;
            // the targets are its weights in its own image's block.
            let locals = localFeatures.selectingPixels(where: validFlags)  // [M, C]
            let logits = locals.matmul(classFeatures, transposeOther: true) * (1 / temperature)  // [M, N·K]
            let logProbabilities = logits.softmax().clamped(minimum: epsilon, maximum: 1).log()
            let images = Self.imageOfEachPosition(validFlags, images: n)
            let rowMask = Tensor(shape: [selected, n, 1], values: images.flatMap { image in (0..<n).map { $0 == image ? 1 : 0 } })
            let targets = ((Tensor.zeros([selected, n, k]) + weights.reshaped([selected, 1, k])) * rowMask).reshaped([selected, n * k])
            contrastive = (targets * logProbabilities).sum() * (-1 / Float(selected))
        } else {
            // Scores of every position against its own image's K class
            // features only, then the valid positions.
            let logits = classFeatures.imageWiseProducts(with: localFeatures) * (1 / temperature)  // [N, K, h, w]
            let logProbabilities = logits.softmax().clamped(minimum: epsilon, maximum: 1).log()
            contrastive = (weights * logProbabilities.selectingPixels(where: validFlags)).sum() * (-1 / Float(selected))
        }

        // The guard: the negative entropy of the mean class distribution.
        let marginal = classes.sum(alongAxes: [0]) * (1 / Float(selected))
        let negativeEntropy = (marginal * marginal.clamped(minimum: epsilon, maximum: 1).log()).sum()
        let loss = contrastive + negativeEntropy * marginalWeight
        let candidates = imageNegatives ? n * k : k
        return Terms(contrastive: contrastive, negativeMarginalEntropy: negativeEntropy, loss: loss,
                     mutualInformationBound: Float(Foundation.log(Double(candidates))) - contrastive.scalar)
    }

    /// Returns the image index of each set flag of `N·h·w` flags.
    static func imageOfEachPosition(_ flags: [Bool], images: Int) -> [Int] {
        let plane = flags.count / images
        return flags.indices.filter { flags[$0] }.map { $0 / plane }
    }

    /// Returns the valid mask at the local features' resolution: at half
    /// resolution (`halfResolutionValidity`) when `halved`, else `valid` itself.
    /// - Parameter valid: `[N, 1, H, W]` of 0 and 1.
    public static func localValidity(_ valid: Tensor, halved: Bool) -> (mask: Tensor, flags: [Bool]) {
        halved ? halfResolutionValidity(valid) : (valid, valid.values.map { $0 > 0.5 })
    }

    /// Returns the valid mask at half resolution: a position counts when all four
    /// input pixels under it are valid.
    /// - Parameter valid: `[N, 1, H, W]` of 0 and 1, H and W even.
    /// - Returns: the mask `[N, 1, H/2, W/2]` and the same as flags.
    public static func halfResolutionValidity(_ valid: Tensor) -> (mask: Tensor, flags: [Bool]) {
        let (n, h, w) = (valid.shape[0], valid.shape[2], valid.shape[3])
        precondition(valid.shape.count == 4 && valid.shape[1] == 1 && h % 2 == 0 && w % 2 == 0,
                     "InfoSeg validity needs [N, 1, H, W] with even H and W, got \(valid.shape)")
        let values = valid.values
        var flags: [Bool] = []
        flags.reserveCapacity(n * h * w / 4)
        for image in 0..<n {
            for row in stride(from: 0, to: h, by: 2) {
                for column in stride(from: 0, to: w, by: 2) {
                    let base = (image * h + row) * w + column
                    flags.append(values[base] > 0.5 && values[base + 1] > 0.5 && values[base + w] > 0.5 && values[base + w + 1] > 0.5)
                }
            }
        }
        return (Tensor(shape: [n, 1, h / 2, w / 2], values: flags.map { $0 ? 1 : 0 }), flags)
    }
}
