using Tabula.Oci;

namespace Tabula;

/// <summary>An image of the store under one of its names, as <c>tabula images</c> lists it (<c>&lt;none&gt;</c> for an unnamed one).</summary>
/// <param name="Id">The image ID: the digest of its config.</param>
/// <param name="Manifest">The manifest (or index) the store holds for it.</param>
/// <param name="Size">The sum of its layers' unpacked file sizes (docker's SIZE); 0 when the store cannot read it.</param>
public sealed record ListedImage(string Repository, string Tag, Digest Id, Descriptor Manifest, DateTimeOffset? Created, long Size);
