/**
 * Table types for Kysely. Entity tables keep the columns that carry relations, uniqueness and
 * state as real columns (so the database enforces them) and the remaining attributes in `data`
 * (JSON text, portable across SQLite and PostgreSQL).
 */
export interface EntityColumns {
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
  data: string;
}

export interface OrganizationTable extends EntityColumns { name: string }
export interface UserTable extends EntityColumns { email: string; password_hash: string | null; is_admin: number }
export interface MembershipTable { organization_id: string; user_id: string; role: string; created_at: string }
export interface GroupTable extends EntityColumns { organization_id: string; name: string; builtin: number }
export interface GroupMemberTable { group_id: string; user_id: string }
export interface BackendTable extends EntityColumns { organization_id: string; name: string }
export interface ApiTable extends EntityColumns {
  organization_id: string;
  name: string;
  base_path: string;
  host: string;
  version_label: string;
  backend_id: string;
  visibility: string;
  lifecycle: string;
}
export interface OperationTable { id: string; api_id: string; method: string; path: string; data: string }
export interface ProductTable extends EntityColumns { organization_id: string; name: string; state: string }
export interface ProductApiTable { product_id: string; api_id: string }
export interface ProductGroupTable { product_id: string; group_id: string }
export interface PlanTable extends EntityColumns {
  organization_id: string;
  product_id: string;
  name: string;
  plan_version: number;
  status: string;
}
export interface ApplicationTable extends EntityColumns { organization_id: string; name: string; owner_user_id: string | null; client_id: string }
export interface ApiKeyTable { hash: string; application_id: string; slot: string; sealed: string; created_at: string }
export interface ContractTable extends EntityColumns {
  organization_id: string;
  application_id: string;
  product_id: string;
  plan_id: string;
  status: string;
}
export interface NamedValueTable extends EntityColumns { organization_id: string; name: string }
export interface PolicyTable extends EntityColumns { organization_id: string; scope_type: string; scope_id: string; position: number }
export interface AuditTable {
  id: string;
  organization_id: string | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: string | null;
  after: string | null;
  at: string;
}
export interface ServiceKeyTable extends EntityColumns { organization_id: string | null; client_id: string; secret_hash: string; revoked: number }
export interface SessionTable { id_hash: string; user_id: string; expires_at: string; created_at: string }
export interface SigningKeyTable { kid: string; private_sealed: string; public_jwk: string; created_at: string; retired_at: string | null }
export interface RevisionTable { id: number; revision: number }

export interface CallRecordTable { id: string; at: string; organization_id: string; api_id: string; application_id: string | null; status: number; data: string }
export interface AnalyticsBatchTable { batch_id: string; gateway: string; received_at: string; records: number }
export interface RollupTable {
  granularity: string;
  bucket: string;
  organization_id: string;
  api_id: string;
  operation_id: string;
  product_id: string;
  application_id: string;
  status_class: string;
  calls: number;
  errors: number;
  bytes_in: number;
  bytes_out: number;
  latency: string;
}

export interface Database {
  call_records: CallRecordTable;
  analytics_batches: AnalyticsBatchTable;
  analytics_rollups: RollupTable;
  organizations: OrganizationTable;
  users: UserTable;
  memberships: MembershipTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  backends: BackendTable;
  apis: ApiTable;
  operations: OperationTable;
  products: ProductTable;
  product_apis: ProductApiTable;
  product_groups: ProductGroupTable;
  plans: PlanTable;
  applications: ApplicationTable;
  api_keys: ApiKeyTable;
  contracts: ContractTable;
  named_values: NamedValueTable;
  policies: PolicyTable;
  audit_events: AuditTable;
  service_keys: ServiceKeyTable;
  sessions: SessionTable;
  signing_keys: SigningKeyTable;
  config_revision: RevisionTable;
}
