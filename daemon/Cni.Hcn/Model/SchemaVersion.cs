using System.Text.Json.Serialization;

namespace Cni.Hcn.Model;

/// <summary>The HCN JSON schema version (<c>{"Major":2,"Minor":0}</c>); both members are always written.</summary>
public sealed record SchemaVersion
{
    /// <summary>The version this model speaks (see <see cref="HcnSchemaChoices.SchemaMajor"/>).</summary>
    public static SchemaVersion V2 { get; } = new() { Major = HcnSchemaChoices.SchemaMajor, Minor = HcnSchemaChoices.SchemaMinor };

    /// <summary>Major version.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public uint Major { get; init; }

    /// <summary>Minor version.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public uint Minor { get; init; }
}
