import SessionModel

extension LegacySystems {
    /// Every `--to` format of `export`.
    public static let exporters: [any SessionExporter] = [
        ALchemistSessionExporter(), ALchemistServerExporter(), MochiExporter(), LobsterExporter(), CasefileExporter(),
        JamBotRowsExporter(), MarkdownAuditExporter(),
    ]
}
