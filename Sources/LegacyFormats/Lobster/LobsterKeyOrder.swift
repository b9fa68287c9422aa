import SessionModel

/// The member order Lobster writes, read from `AgentClient._save_session_json`,
/// `ProvenanceTracker` and `AnalysisStep.to_dict` (FORMATS.md 2.2–2.3). Used by the exporter
/// to restore the app's order in sessions read back from a canonical store.
enum LobsterKeyOrder {
    static let softwareVersions = PythonDictOrder.flat(["scanpy", "anndata", "pandas", "numpy", "lobster"])

    static let tokenUsage = PythonDictOrder.object([
        ("session_id", .keep), ("total_input_tokens", .keep), ("total_output_tokens", .keep), ("total_tokens", .keep),
        ("total_cost_usd", .keep),
        (
            "by_agent",
            .values(.flat(["input_tokens", "output_tokens", "total_tokens", "cost_usd", "invocation_count"]))
        ),
        (
            "invocations",
            .list(
                .flat([
                    "timestamp", "agent", "model", "tool", "input_tokens", "output_tokens", "total_tokens", "cost_usd",
                ]))
        ),
    ])

    static let message = PythonDictOrder.flat(["role", "content"])

    static let sessionJSON = PythonDictOrder.object([
        ("session_id", .keep),
        (
            "metadata",
            .flat([
                "created_at", "session_id", "workspace", "loaded_from", "original_session_id", "original_created_at",
                "message_count_loaded",
            ])
        ),
        ("conversation", .list(message)),
        (
            "status",
            .object([
                ("session_id", .keep), ("message_count", .keep), ("has_data", .keep), ("data_summary", .keep),
                ("workspace", .keep), ("reasoning_enabled", .keep), ("callbacks_count", .keep),
                ("redis_health", .flat(["status", "message", "critical"])), ("token_usage", tokenUsage),
            ])
        ),
        (
            "workspace_status",
            .object([
                ("workspace_path", .keep), ("modalities_loaded", .keep), ("modality_names", .keep),
                ("registered_backends", .keep), ("registered_adapters", .keep), ("default_backend", .keep),
                ("provenance_enabled", .keep), ("mudata_available", .keep),
                (
                    "directories",
                    .flat(["data", "exports", "cache", "literature_cache", "metadata", "notebooks", "queues"])
                ),
                ("modality_details", .values(.flat(["shape", "obs_columns", "var_columns", "layers", "obsm"]))),
                ("provenance", .flat(["n_activities", "n_entities", "n_agents"])),
            ])
        ),
        ("token_usage", tokenUsage),
        ("exported_at", .keep),
        ("lobster_version", .keep),
        ("provenance", .flat(["session_dir", "activity_count"])),
        ("schema_version", .keep),
    ])

    static let analysisStep = PythonDictOrder.object([
        ("operation", .keep), ("tool_name", .keep), ("description", .keep), ("library", .keep),
        ("code_template", .keep),
        ("imports", .keep), ("parameters", .keep),
        (
            "parameter_schema",
            .values(
                .flat([
                    "param_type", "papermill_injectable", "default_value", "required", "validation_rule", "description",
                ]))
        ),
        ("input_entities", .keep), ("output_entities", .keep), ("execution_context", .keep),
        ("validates_on_export", .keep), ("requires_validation", .keep), ("exportable", .keep), ("helper_code", .keep),
    ])

    /// `{"v": 1, **activity}`.
    static let activity = PythonDictOrder.object([
        ("v", .keep), ("id", .keep), ("type", .keep), ("agent", .keep), ("timestamp", .keep),
        ("inputs", .list(.flat(["entity", "role"]))), ("outputs", .list(.flat(["entity", "role"]))),
        ("parameters", .keep), ("description", .keep), ("software_versions", softwareVersions), ("ir", analysisStep),
    ])

    static let provenanceMetadata = PythonDictOrder.object([
        ("created_at", .keep), ("last_modified", .keep), ("activity_count", .keep),
        ("software_versions", softwareVersions),
    ])

    static let trackerExport = PythonDictOrder.object([
        ("namespace", .keep), ("activities", .list(activity)),
        ("entities", .values(.flat(["id", "type", "uri", "checksum", "format", "metadata", "created"]))),
        ("agents", .values(.flat(["id", "name", "type", "version", "description"]))),
        ("export_timestamp", .keep),
    ])
}
