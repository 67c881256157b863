// Evaluation: confusion matrices, cluster-to-class mappings, metrics, water
// index baselines and the report writer.
