using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace HybridMesh.Engine.Kube;

/// <summary>
/// Reads a kubeconfig into KubernetesClient's model, with the deserializer settings KubernetesClient's own loader
/// (<c>KubernetesClientConfiguration.LoadKubeConfig</c>) uses for it, but without that loader's start-up cost: it goes
/// through <c>k8s.KubernetesYaml</c>, whose static constructor maps the JSON names of every API model type for YAML
/// (reflection over ~800 types) before the first kubeconfig is read, ~0.35 CPU s and as much wall time in every
/// process (docs/design/kubeconfigs.md, "Reading a kubeconfig"). The kubeconfig types carry their YAML names
/// themselves and use none of the API types' converters, so this reads the same objects; KubeconfigYamlTests
/// compares both readers over every field and the sample kubeconfigs.
/// </summary>
internal static class KubeconfigYaml
{
    private static readonly object Gate = new();

    // As k8s.KubernetesYaml's non-strict deserializer, less what concerns only API model types (the JSON-name
    // overrides and the byte[], IntOrString and ResourceQuantity converters).
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithAttemptingUnquotedStringTypeDeserialization()
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>
    /// The kubeconfig in <paramref name="file"/>, its relative certificate and key paths resolved against the file's
    /// folder (as <c>LoadKubeConfig(file, useRelativePaths: true)</c>).
    /// </summary>
    public static K8SConfiguration Load(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        }

        using var reader = file.OpenText();
        var config = Read(reader);
        config.FileName = file.FullName;
        return config;
    }

    /// <summary>A kubeconfig held in memory (a remote secret's), relative paths left as they are.</summary>
    public static K8SConfiguration Parse(string yaml)
    {
        using var reader = new StringReader(yaml);
        return Read(reader);
    }

    private static K8SConfiguration Read(TextReader reader)
    {
        // KubernetesClient holds a lock around its deserializer too; a kubeconfig is read a few times per command.
        lock (Gate)
        {
            // An empty document is an empty kubeconfig, as kubectl reads it (KubernetesClient returned null).
            return Deserializer.Deserialize<K8SConfiguration?>(new MergingParser(new Parser(reader))) ?? new K8SConfiguration();
        }
    }
}
