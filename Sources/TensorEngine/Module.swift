/// A network layer or a composition of layers, with its parameters and
/// buffers named as PyTorch's `state_dict` names them (`0.weight`,
/// `trunk.1.running_mean`), so that checkpoints match a PyTorch model of the
/// same structure.
public protocol Module: AnyObject {
    /// Runs the layer.
    func callAsFunction(_ input: Tensor) -> Tensor

    /// This layer's own trainable tensors, in PyTorch's registration order.
    var localParameters: [(name: String, tensor: Tensor)] { get }

    /// This layer's own non-trainable state (running statistics).
    var localBuffers: [(name: String, tensor: Tensor)] { get }

    /// Sub-layers with their names (a Sequential names them 0, 1, 2, ...).
    var children: [(name: String, module: Module)] { get }

    /// Training (batch statistics) or inference (running statistics) mode of
    /// this layer alone; use `setTraining(_:)` for a whole network.
    var isTraining: Bool { get set }
}

extension Module {
    public var localParameters: [(name: String, tensor: Tensor)] { [] }
    public var localBuffers: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, module: Module)] { [] }

    /// Every trainable tensor of the network with its dotted name.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        localParameters + children.flatMap { child in
            child.module.namedParameters.map { ("\(child.name).\($0.name)", $0.tensor) }
        }
    }

    /// The trainable tensors, in the order of `namedParameters`.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Parameters and buffers, module by module, in the order of PyTorch's
    /// `state_dict()` (each module's parameters, then its buffers, then its
    /// children).
    public var stateDictionary: [(name: String, tensor: Tensor)] {
        localParameters + localBuffers + children.flatMap { child in
            child.module.stateDictionary.map { ("\(child.name).\($0.name)", $0.tensor) }
        }
    }

    /// Switches the layer and all its sub-layers between training and inference.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for child in children { child.module.setTraining(training) }
    }

    /// The batch-normalisation layers of the network, in registration order.
    public var batchNormalizations: [BatchNorm2d] {
        ((self as? BatchNorm2d).map { [$0] } ?? []) + children.flatMap { $0.module.batchNormalizations }
    }
}

/// A 2-D convolution layer with stride 1, as PyTorch's `nn.Conv2d`.
public final class Conv2d: Module {
    /// `[outChannels, inChannels, kernelSize, kernelSize]`.
    public let weight: Tensor
    /// `[outChannels]`, or nil without bias.
    public let bias: Tensor?
    public let padding: Int
    public let dilation: Int
    public var isTraining = true

    /// A layer initialised as PyTorch's `Conv2d.reset_parameters`: weight and
    /// bias uniform in `[-b, b)` with
    /// ```
    /// b = 1 / sqrt(inChannels · kernelSize²)
    /// ```
    /// (Kaiming-uniform with a = √5), drawn from `generator`.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, padding: Int = 0, dilation: Int = 1,
        bias: Bool = true, generator: inout SeededGenerator
    ) {
        precondition(inChannels >= 1 && outChannels >= 1 && kernelSize >= 1,
                     "Conv2d needs positive sizes, got \(inChannels) -> \(outChannels), kernel \(kernelSize)")
        let bound = 1 / Float(inChannels * kernelSize * kernelSize).squareRoot()
        weight = .uniform([outChannels, inChannels, kernelSize, kernelSize], bound: bound,
                          using: &generator, requiresGradient: true)
        self.bias = bias ? .uniform([outChannels], bound: bound, using: &generator, requiresGradient: true) : nil
        self.padding = padding
        self.dilation = dilation
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.convolution(weight: weight, bias: bias, padding: padding, dilation: dilation)
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// Batch normalisation over channels, as PyTorch's `nn.BatchNorm2d`
/// (momentum 0.1, ε = 1e-5 by default).
public final class BatchNorm2d: Module {
    /// `[C]`, PyTorch's `weight`, initially 1.
    public let scale: Tensor
    /// `[C]`, PyTorch's `bias`, initially 0.
    public let shift: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    /// Training batches seen, PyTorch's `num_batches_tracked` (a scalar).
    public let trackedBatches: Tensor
    public let momentum: Float
    public let epsilon: Float
    public var isTraining = true

    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        scale = .full([channels], value: 1, requiresGradient: true)
        shift = .zeros([channels], requiresGradient: true)
        runningMean = .zeros([channels])
        runningVariance = .full([channels], value: 1)
        trackedBatches = .zeros([])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        callAsFunction(input, fusedReLU: false)
    }

    /// Normalises `input`, followed by a ReLU in the same pass when `fusedReLU`.
    public func callAsFunction(_ input: Tensor, fusedReLU: Bool) -> Tensor {
        guard pooling == nil || !isTraining else { return poolingForward(input, fusedReLU: fusedReLU) }
        if isTraining { trackedBatches.storage.pointer[0] += 1 }
        return input.batchNormalization(
            scale: scale, shift: shift, runningMean: runningMean, runningVariance: runningVariance,
            training: isTraining, momentum: momentum, epsilon: epsilon, fusedReLU: fusedReLU)
    }

    /// Sums of the batches seen since `beginPooling()`, per channel.
    private struct PooledSums {
        var count = 0.0
        var sums: [Double]
        var squareSums: [Double]
    }

    private var pooling: PooledSums?

    /// Starts pooling the statistics of the batches that follow in place of
    /// the running averages (PreciseBN, Wu and Johnson, 2021). Each
    /// training-mode pass still normalises with its own batch's statistics.
    public func beginPooling() {
        let c = runningMean.shape[0]
        pooling = PooledSums(sums: Array(repeating: 0, count: c), squareSums: Array(repeating: 0, count: c))
    }

    /// Sets the running statistics to the mean and the unbiased variance of
    /// every value seen since `beginPooling()`, over all batches at once:
    /// ```
    /// μ = Σ x / n,   σ² = (Σ x² - n μ²) / (n - 1)
    /// ```
    /// Keeps the running statistics when fewer than two values were seen.
    public func endPooling() {
        guard let pooled = pooling else { return }
        pooling = nil
        guard pooled.count > 1 else { return }
        for channel in pooled.sums.indices {
            let mean = pooled.sums[channel] / pooled.count
            let variance = max(0, pooled.squareSums[channel] - pooled.count * mean * mean) / (pooled.count - 1)
            runningMean.storage.pointer[channel] = Float(mean)
            runningVariance.storage.pointer[channel] = Float(variance)
        }
    }

    /// Normalises `input` with its own mean and biased variance, as in
    /// training, and adds its sums to `pooling`. The batch's statistics are
    /// left as the running ones until `endPooling()` overwrites them.
    private func poolingForward(_ input: Tensor, fusedReLU: Bool) -> Tensor {
        let (n, c, plane) = (input.shape[0], input.shape[1], input.shape[2] * input.shape[3])
        let values = input.values
        let m = Double(n * plane)
        for channel in 0..<c {
            var sum = 0.0, squareSum = 0.0
            for sample in 0..<n {
                let start = (sample * c + channel) * plane
                for index in start..<(start + plane) {
                    let x = Double(values[index])
                    sum += x
                    squareSum += x * x
                }
            }
            let mean = sum / m
            runningMean.storage.pointer[channel] = Float(mean)
            runningVariance.storage.pointer[channel] = Float(max(0, squareSum / m - mean * mean))
            pooling!.sums[channel] += sum
            pooling!.squareSums[channel] += squareSum
        }
        pooling!.count += m
        return input.batchNormalization(
            scale: scale, shift: shift, runningMean: runningMean, runningVariance: runningVariance,
            training: false, epsilon: epsilon, fusedReLU: fusedReLU)
    }

    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", scale), ("bias", shift)] }

    public var localBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", trackedBatches)]
    }
}

/// The rectified linear unit as a layer, PyTorch's `nn.ReLU`.
public final class ReLU: Module {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.relu() }
}

/// Max pooling as a layer, PyTorch's `nn.MaxPool2d(window)`.
public final class MaxPool2d: Module {
    public let window: Int
    public var isTraining = true
    public init(window: Int = 2) { self.window = window }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.maxPooled(window: window) }
}

/// Layers applied in order, PyTorch's `nn.Sequential`; children are named by
/// their position. A BatchNorm2d followed by a ReLU runs as one fused pass.
public final class Sequential: Module {
    public let layers: [Module]
    public var isTraining = true

    public init(_ layers: [Module]) {
        self.layers = layers
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        var result = input
        var index = 0
        while index < layers.count {
            if let normalization = layers[index] as? BatchNorm2d, index + 1 < layers.count, layers[index + 1] is ReLU {
                result = normalization(result, fusedReLU: true)
                index += 2
            } else {
                result = layers[index](result)
                index += 1
            }
        }
        return result
    }

    public var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }
}
