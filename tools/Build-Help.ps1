param([string] $DocsPath, [string] $CommandMetadataPath, [string] $OutputPath)
# Placeholder until the markdown-to-MAML generator lands.
