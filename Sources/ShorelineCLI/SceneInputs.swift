import Foundation
import GeoRaster
import Tiling

/// The scenes named by a command's positional inputs (files, folders of
/// scenes, OMBRIA or WorldFloods folders, folders of one file per band),
/// without their labels.
func discoverScenes(_ inputs: [String], commandName: String) throws -> [SceneSource] {
    guard !inputs.isEmpty else {
        throw UsageError(description: "\(commandName) needs at least one SCENE_OR_DIR; run 'shoreline \(commandName) --help'")
    }
    let scenes = try ScenePairing.discover(inputs: inputs, labels: nil).pairs.map(\.scene)
    guard !scenes.isEmpty else { throw TilingError.noScenes }
    return scenes
}

/// Creates an output folder and its parents, or throws the reason it cannot.
func createOutputFolder(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw TilingError.unwritableOutput(path, reason: OutputPath.creationFailureReason(path, error: error))
    }
}
