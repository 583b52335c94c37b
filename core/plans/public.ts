/**
 * What GET /plans shows the signup page of each plan: what a customer chooses by. Built field by field so
 * nothing operational (quotas, email templates, billing price ids) leaks when the catalog grows.
 */
import type { Plan } from "./catalog.js";

export interface PublicPlan {
  id: string;
  displayName: string;
  description: string;
  monthlyPriceUsd: number;
  features: string[];
  dedicatedResources: boolean;
}

export function publicPlan(plan: Plan): PublicPlan {
  return {
    id: plan.id,
    displayName: plan.displayName,
    description: plan.description,
    monthlyPriceUsd: plan.monthlyPriceUsd,
    features: [...plan.features],
    dedicatedResources: plan.dedicatedResources,
  };
}
