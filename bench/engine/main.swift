// Times a training step and inference of the IIC-sized network of DESIGN.md
// on TensorEngine and prints one JSON object on stdout.
//
// Network: 13 bands, convolutions 64-64-pool-128-128-pool-256-256 (3x3,
// batch norm, ReLU), heads of K=3 and K=15 clusters (1x1 convolutions),
// bilinear upsampling to the crop, softmax. A step runs two views of 4
// crops of 128 x 128 (8 images). The second view is a horizontal flip,
// undone on its output. Then come the IIC loss of both heads between the
// views, its backward pass and an Adam update.
import Clustering
import Foundation
import TensorEngine

struct Options {
    var threads = 2
    var steps = 10
    var warmup = 2
    var radius = 10
    var crops = 4
    var size = 128

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let text = iterator.next(), let value = Int(text), value >= 0 else {
                FileHandle.standardError.write(Data("error: '\(flag)' needs a whole number; see bench/engine/README.md\n".utf8))
                exit(2)
            }
            switch flag {
            case "--threads": threads = max(value, 1)
            case "--steps": steps = max(value, 1)
            case "--warmup": warmup = value
            case "--radius": radius = value
            case "--crops": crops = max(value, 1)
            case "--size": size = max(value, 8)
            default:
                FileHandle.standardError.write(Data("error: unknown option '\(flag)'; use --threads, --steps, --warmup, --radius, --crops or --size\n".utf8))
                exit(2)
            }
        }
    }
}

final class IICNetwork: Module {
    let trunk: Sequential
    let mainHead: Conv2d
    let overclusteringHead: Conv2d
    var isTraining = true

    init(bands: Int, generator: inout SeededGenerator) {
        var layers: [Module] = []
        var channels = bands
        for (index, width) in [64, 64, 128, 128, 256, 256].enumerated() {
            layers += [Conv2d(inChannels: channels, outChannels: width, kernelSize: 3, padding: 1, generator: &generator),
                       BatchNorm2d(channels: width), ReLU()]
            if index == 1 || index == 3 { layers.append(MaxPool2d()) }
            channels = width
        }
        trunk = Sequential(layers)
        mainHead = Conv2d(inChannels: 256, outChannels: 3, kernelSize: 1, generator: &generator)
        overclusteringHead = Conv2d(inChannels: 256, outChannels: 15, kernelSize: 1, generator: &generator)
    }

    func callAsFunction(_ input: Tensor) -> Tensor { heads(input).main }

    /// Cluster probabilities of both heads at the input's size.
    func heads(_ input: Tensor) -> (main: Tensor, overclustering: Tensor) {
        let features = trunk(input)
        let (h, w) = (input.shape[2], input.shape[3])
        let main = Profiler.measure("heads") { mainHead(features).resizedBilinear(height: h, width: w).softmax() }
        let over = Profiler.measure("heads") { overclusteringHead(features).resizedBilinear(height: h, width: w).softmax() }
        return (main, over)
    }

    var children: [(name: String, module: Module)] {
        [("trunk", trunk), ("main_head", mainHead), ("overclustering_head", overclusteringHead)]
    }
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

let options = Options(arguments: CommandLine.arguments)
EngineThreads.set(options.threads)
var generator = SeededGenerator(seed: 1)
let network = IICNetwork(bands: 13, generator: &generator)
let adam = Adam(parameters: network.parameters, learningRate: 1e-4)
let mainLoss = IICLoss(displacementRadius: options.radius, marginalWeight: 1.5)
let overclusteringLoss = IICLoss(displacementRadius: options.radius, marginalWeight: 1)
let size = options.size
let crops = Tensor.normal([options.crops, 13, size, size], using: &generator)
let flipped = crops.flippedHorizontally()
let batch = Tensor.normal([2 * options.crops, 13, size, size], using: &generator)

func trainingStep() -> Float {
    adam.zeroGradients()
    let first = network.heads(crops)
    let second = network.heads(flipped)
    let loss = Profiler.measure("loss") {
        mainLoss(first.main, second.main.flippedHorizontally())
            + overclusteringLoss(first.overclustering, second.overclustering.flippedHorizontally())
    }
    Profiler.measure("backward") { loss.backward() }
    Profiler.measure("optimiser") { adam.step() }
    return loss.scalar
}

func inference() {
    withNoGradient {
        let outputs = network.heads(batch)
        _ = outputs.main.count + outputs.overclustering.count
    }
}

// Training steps, then inference on the same 8 images per call.
network.setTraining(true)
for _ in 0..<options.warmup { _ = trainingStep() }
var losses: [Float] = []
let trainTimes = (0..<options.steps).map { _ in seconds { losses.append(trainingStep()) } }
network.setTraining(false)
for _ in 0..<options.warmup { inference() }
let inferTimes = (0..<options.steps).map { _ in seconds { inference() } }

// One more training step with the profiler on, for the per-op table.
network.setTraining(true)
Profiler.isEnabled = true
let profiledStep = seconds { _ = trainingStep() }
Profiler.isEnabled = false

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let table = Profiler.table.map { ["op": $0.label, "ms": String(format: "%.1f", $0.seconds * 1000), "calls": "\($0.calls)"] }
let result: [String: Any] = [
    "engine": "shoreline",
    "threads": options.threads,
    "train_step_ms": median(trainTimes) * 1000,
    "infer_ms": median(inferTimes) * 1000,
    "train_step_min_ms": trainTimes.min()! * 1000,
    "infer_min_ms": inferTimes.min()! * 1000,
    "profiled_step_ms": profiledStep * 1000,
    "peak_rss_mb": Double(usage.ru_maxrss) / 1024,
    "first_loss": Double(losses.first ?? .nan),
    "last_loss": Double(losses.last ?? .nan),
    "ops": table,
]
let data = try! JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
