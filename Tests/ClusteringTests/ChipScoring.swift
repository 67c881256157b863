import Foundation
import Evaluation
import GeoRaster
import TestSupport
import Tiling
import TensorEngine
@testable import Clustering

/// Scores of a model on the Sen1Floods11 chip, pooled over its labelled pixels.
struct ChipScores {
    /// Water IoU of the main head with the one-to-one Hungarian mapping.
    var mainHungarian: Double
    /// Water IoU of the last head with the many-to-one majority mapping.
    var overclusteringMajority: Double
    /// The share of labelled pixels the main head calls water.
    var mainWaterShare: Double
}

enum ChipScoring {
    /// Segments the whole chip in one window and scores it against its label
    /// (-1 no data, 0 land, 1 water). Returns nil when the shared data is absent.
    static func score(_ model: any SegmentationModel) throws -> ChipScores? {
        guard let sceneURL = SharedData.file(SharedData.sen1floods11Scene),
              let labelURL = SharedData.file(SharedData.sen1floods11Label) else { return nil }
        let scene = try Dataset(path: sceneURL.path)
        let block = try scene.read(bands: model.bands, window: scene.fullWindow, as: Float.self)
        let scale = ReflectanceScale.forScene(scene)
        let reflectance = block.samples.map(scale.reflectance)
        let label = try Dataset(path: labelURL.path, allowUnnamedBands: true)
        let codes = try label.read(window: label.fullWindow, as: Int16.self, rule: ValidityRule(zeroInAllBandsIsInvalid: false))
        let classes: [UInt8] = zip(codes.samples, codes.validity).map { code, valid in
            guard valid else { return SurfaceClass.invalid.rawValue }
            switch code {
            case 0: return SurfaceClass.land.rawValue
            case 1: return SurfaceClass.water.rawValue
            default: return SurfaceClass.invalid.rawValue
            }
        }

        let outputs = model.clusterProbabilities(reflectance: reflectance, valid: block.validity,
                                                 height: scene.height, width: scene.width)
        var matrices: [ConfusionMatrix] = []
        for (output, k) in zip(outputs, model.clusterCounts) {
            let pixels = scene.width * scene.height
            var predictions = [UInt8](repeating: ClusterIDs.invalid, count: pixels)
            for pixel in 0..<pixels where block.validity[pixel] {
                var best = 0
                for cluster in 1..<k where output[cluster * pixels + pixel] > output[best * pixels + pixel] { best = cluster }
                predictions[pixel] = UInt8(best)
            }
            var matrix = ConfusionMatrix(clusterCount: k, classes: [.land, .water])
            matrix.add(predictions: predictions, labels: classes)
            matrices.append(matrix)
        }

        func waterIoU(_ matrix: ConfusionMatrix, _ mapping: ClusterMapping) -> Double {
            SegmentationMetrics(ClassConfusion(matrix, mapping: mapping)).water?.iou ?? 0
        }
        let main = matrices[0], mainMapping = ClusterMapping.hungarian(main)
        let waterClusters = (0..<main.clusterCount).filter { mainMapping.classes[$0] == .water }
        let waterPixels = waterClusters.reduce(Int64(0)) { $0 + main.pixelCount(cluster: $1) }
        return ChipScores(mainHungarian: waterIoU(main, mainMapping),
                          overclusteringMajority: waterIoU(matrices.last!, .majority(matrices.last!)),
                          mainWaterShare: Double(waterPixels) / Double(max(1, main.pixelCount)))
    }
}

extension ChipScoring {
    /// Trains `method` for 40 steps on the chip (64 px crops, one thread) into
    /// `run`, then scores the trained model and the same network as
    /// initialised, with the run's statistics.
    /// - Returns: nil when the chip cannot be scored.
    static func scoreTrainedAndRandom(method: some ClusteringMethod, clusterCounts: [Int], receptiveField: Int,
                                      run: URL) throws -> (trained: ChipScores, random: ChipScores)? {
        var options = TrainingOptions(inputs: [SharedData.file(SharedData.sen1floods11Scene)!.path], output: run.path)
        options.steps = 40
        options.crop = 64
        options.checkpointInterval = 40
        options.threads = 1
        _ = try ClusteringTrainer(method: method, options: options).run()
        guard let trained = try score(try TrainedModelLoader.load(run: run)) else { return nil }

        var generator = SeededGenerator(seed: options.seed)
        let network = method.makeNetwork(bands: 6, generator: &generator)
        let random = TrainedClusteringModel(configuration: try RunConfiguration.read(run: run), network: network,
                                            headNames: method.headNames, clusterCounts: clusterCounts,
                                            receptiveField: receptiveField)
        guard let untrained = try score(random) else { return nil }
        return (trained, untrained)
    }
}
