import type { Plan } from '../types.js';
import { serializePlan } from './plan-file.js';

/**
 * The plan as JSON for machines: exactly the plan file's bytes, so
 * `rolecall plan --format json > plan.json` is a plan `rolecall apply` accepts, and there is
 * one JSON shape to learn (`schemas/plan.schema.json`). Counts are a `jq` away:
 * `jq '[.businesses[].changes[] | .action] | group_by(.) | map({(.[0]): length}) | add'`.
 */
export function renderPlanJson(plan: Plan): string {
  return serializePlan(plan);
}
