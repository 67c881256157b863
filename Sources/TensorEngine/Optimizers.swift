import Foundation

/// Adam (Kingma and Ba 2015) as PyTorch's `torch.optim.Adam`, with optional
/// L2 weight decay added to the gradient. For each parameter p with
/// gradient g at step t:
/// ```
/// g  = g + weightDecay · p
/// m  = β1 · m + (1 - β1) · g
/// v  = β2 · v + (1 - β2) · g²
/// p -= learningRate · (m / (1 - β1ᵗ)) / (sqrt(v / (1 - β2ᵗ)) + ε)
/// ```
public final class Adam {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// Steps taken, t.
    /// NOTE: one count serves every parameter, while PyTorch counts per
    /// parameter. The two differ for a parameter whose first gradient comes
    /// after step 1, as with `--head-schedule alternating`.
    public private(set) var stepCount = 0
    /// First and second moment estimates, one per parameter (PyTorch's
    /// `exp_avg` and `exp_avg_sq`).
    public let firstMoments: [Tensor]
    public let secondMoments: [Tensor]

    public init(
        parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        firstMoments = parameters.map { Tensor.zeros($0.shape) }
        secondMoments = parameters.map { Tensor.zeros($0.shape) }
    }

    /// Restores the step count saved with the moments (for resuming).
    public func restore(stepCount: Int) {
        self.stepCount = stepCount
    }

    /// Updates every parameter that has a gradient.
    public func step() {
        stepCount += 1
        let correction1 = 1 - Float(pow(Double(beta1), Double(stepCount)))
        let correction2 = 1 - Float(pow(Double(beta2), Double(stepCount)))
        let stepSize = learningRate / correction1
        let correction2Root = correction2.squareRoot()
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.gradientStorage else { continue }
            let p = parameter.storage.pointer, g = gradient.pointer
            let m = firstMoments[index].storage.pointer, v = secondMoments[index].storage.pointer
            for i in 0..<parameter.count {
                let decayed = g[i] + weightDecay * p[i]
                m[i] = beta1 * m[i] + (1 - beta1) * decayed
                v[i] = beta2 * v[i] + (1 - beta2) * decayed * decayed
                p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon)
            }
            parameter.markModified()
        }
    }

    /// Clears the gradients of all parameters.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }
}

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`
/// (no dampening, no Nesterov):
/// ```
/// g  = g + weightDecay · p
/// b  = g at the first step, else momentum · b + g
/// p -= learningRate · b
/// ```
public final class SGD {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float
    /// Momentum buffers, one per parameter (PyTorch's `momentum_buffer`).
    public let momentumBuffers: [Tensor]
    private var started: [Bool]

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        momentumBuffers = parameters.map { Tensor.zeros($0.shape) }
        started = parameters.map { _ in false }
    }

    /// Updates every parameter that has a gradient.
    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.gradientStorage else { continue }
            let p = parameter.storage.pointer, g = gradient.pointer, b = momentumBuffers[index].storage.pointer
            let first = !started[index]
            started[index] = true
            for i in 0..<parameter.count {
                let decayed = g[i] + weightDecay * p[i]
                b[i] = momentum == 0 || first ? decayed : momentum * b[i] + decayed
                p[i] -= learningRate * b[i]
            }
            parameter.markModified()
        }
    }

    /// Clears the gradients of all parameters.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }
}

extension Conv2d {
    /// Exchanges this layer's weight and bias with `other`'s, which has the
    /// same shape, and their moments in `optimizer` when given, so that
    /// training goes on as if the two layers had changed places.
    public func swapParameters(with other: Conv2d, optimizer: Adam? = nil) {
        precondition(weight.shape == other.weight.shape && (bias == nil) == (other.bias == nil),
                     "Conv2d.swapParameters needs layers of one shape, got \(weight.shape) and \(other.weight.shape)")
        var pairs = [(weight, other.weight)]
        if let a = bias, let b = other.bias { pairs.append((a, b)) }
        if let optimizer {
            for (a, b) in pairs {
                guard let i = optimizer.parameters.firstIndex(where: { $0 === a }),
                      let j = optimizer.parameters.firstIndex(where: { $0 === b }) else { continue }
                pairs += [(optimizer.firstMoments[i], optimizer.firstMoments[j]),
                          (optimizer.secondMoments[i], optimizer.secondMoments[j])]
            }
        }
        for (a, b) in pairs {
            let values = a.values
            a.assign(b.values)
            b.assign(values)
        }
    }
}
