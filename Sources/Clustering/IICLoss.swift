import TensorEngine

/// The invariant information clustering loss of Ji, Henriques and Vedaldi
/// (ICCV 2019) for segmentation: minus the mutual information between the
/// cluster of a pixel in one view and the cluster of pixels near it in the
/// other view.
///
/// With φ, φ' the two `[N, K, H, W]` cluster probability maps (already
/// aligned pixel for pixel) and m the valid mask, the joint distribution over
/// every displacement d with |dx|, |dy| ≤ T is
/// ```
/// J[i,j] = Σ_n Σ_p Σ_d m[p] φ[n,i,p] · m[p+d] φ'[n,j,p+d]
/// P      = (J + Jᵀ) / 2 / Σ J
/// P_i    = Σ_j P[i,j],   P_j = Σ_i P[i,j]
/// loss   = -Σ_ij P[i,j] · (log P[i,j] - λ log P_i - λ log P_j)
/// ```
/// with P, P_i and P_j clamped below at machine epsilon before the logs.
/// Because the sum over d of φ'[p+d] is a box filter of φ', J is one matrix
/// product of φ with the box-filtered φ'.
///
/// NOTE: as in the authors' code, the displacements are summed into one joint
/// distribution before the logarithm (the issue text averages a loss per
/// displacement instead). Unlike their code, the gradient also flows through
/// the normaliser Σ J, so the loss is differentiated exactly as written.
public struct IICLoss {
    /// T: the largest displacement in pixels along each axis.
    public var displacementRadius: Int
    /// λ: the weight of the marginal entropies; 1 gives the mutual information.
    public var marginalWeight: Float
    /// The floor applied to probabilities before the logarithm.
    public var epsilon: Float

    public init(displacementRadius: Int, marginalWeight: Float = 1, epsilon: Float = .ulpOfOne) {
        precondition(displacementRadius >= 0, "displacement radius must be >= 0, got \(displacementRadius)")
        self.displacementRadius = displacementRadius
        self.marginalWeight = marginalWeight
        self.epsilon = epsilon
    }

    /// Computes the loss between two aligned views, a scalar.
    /// - Parameters:
    ///   - first, second: cluster probabilities, `[N, K, H, W]`, softmax over K.
    ///   - valid: `[N, 1, H, W]`, 1 where a pixel counts and 0 where it is
    ///     invalid, or nil when every pixel counts.
    public func callAsFunction(_ first: Tensor, _ second: Tensor, valid: Tensor? = nil) -> Tensor {
        jointDistribution(first, second, valid: valid).loss
    }

    /// Computes the symmetrised, normalised joint distribution P (`[K, K]`,
    /// unclamped) and the loss from it.
    public func jointDistribution(_ first: Tensor, _ second: Tensor, valid: Tensor? = nil) -> (joint: Tensor, loss: Tensor) {
        precondition(first.shape == second.shape && first.shape.count == 4,
                     "IIC loss needs two [N, K, H, W] maps of one shape, got \(first.shape) and \(second.shape)")
        let (n, h, w) = (first.shape[0], first.shape[2], first.shape[3])
        if let valid {
            precondition(valid.shape == [n, 1, h, w], "IIC valid mask must be [\(n), 1, \(h), \(w)], got \(valid.shape)")
        }

        // Masked views; the second summed over the displacement window.
        let masked1 = valid.map { first * $0 } ?? first
        let masked2 = valid.map { second * $0 } ?? second
        let neighbourhoods = masked2.boxSum(radius: displacementRadius)

        // J = Φ · Ψᵀ with Φ, Ψ as [K, N·H·W] matrices.
        let counts = masked1.channelsOutermost().matmul(neighbourhoods.channelsOutermost(), transposeOther: true)
        let normalised = counts * counts.sum().reshaped([1, 1]).pow(-1)
        let joint = (normalised + normalised.transposed()) * 0.5

        // Marginals and the clamped logarithms.
        let rows = joint.sum(alongAxes: [1]).clamped(minimum: epsilon, maximum: 1)
        let columns = joint.sum(alongAxes: [0]).clamped(minimum: epsilon, maximum: 1)
        let clamped = joint.clamped(minimum: epsilon, maximum: 1)
        let pointwise = clamped.log() - rows.log() * marginalWeight - columns.log() * marginalWeight
        let loss = (clamped * pointwise).sum() * -1
        return (joint, loss)
    }
}
