using Cni.Hcn.Errors;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Memory;

/// <summary>
/// The Add / Remove / Update semantics of a Policy modify request: Add appends and refuses a policy the object
/// already has (HCN_E_POLICY_ALREADY_EXISTS); Remove drops an exactly matching policy and refuses one it lacks
/// (HCN_E_POLICY_NOT_FOUND); Update replaces every policy of the types in the request (hcsshim uses it to swap ACL
/// sets). Other request types are HCN_E_REQUEST_UNSUPPORTED.
/// </summary>
internal static class PolicyListEdit
{
    public static List<T> Apply<T>(
        string operation,
        IReadOnlyList<T>? current,
        IReadOnlyList<T> changes,
        RequestType requestType,
        Func<T, T, bool> same,
        Func<T, T, bool> conflicts,
        Func<T, string?> typeOf)
    {
        var result = current is null ? [] : new List<T>(current);
        if (requestType == RequestType.Add)
        {
            foreach (var change in changes)
            {
                if (result.Exists(existing => conflicts(existing, change)))
                {
                    throw new HcnException(operation, HcnErrorCodes.PolicyAlreadyExists, detail: $"the object already has this {typeOf(change)} policy");
                }

                result.Add(change);
            }
        }
        else if (requestType == RequestType.Remove)
        {
            foreach (var change in changes)
            {
                var index = result.FindIndex(existing => same(existing, change));
                if (index < 0)
                {
                    throw new HcnException(operation, HcnErrorCodes.PolicyNotFound, detail: $"the object has no such {typeOf(change)} policy");
                }

                result.RemoveAt(index);
            }
        }
        else if (requestType == RequestType.Update)
        {
            var types = changes.Select(typeOf).ToHashSet(StringComparer.OrdinalIgnoreCase);
            result.RemoveAll(existing => types.Contains(typeOf(existing)));
            result.AddRange(changes);
        }
        else
        {
            throw new HcnException(operation, HcnErrorCodes.RequestUnsupported, detail: $"RequestType '{requestType}' is not supported for policies");
        }

        return result;
    }
}
