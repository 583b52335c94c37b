/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The plan cards of the signup form (GET /plans): one radio card per plan, `?plan=<id>` preselected (else
 * Standard, else the first). When the plans cannot be loaded the list offers to try again.
 */
import type { PublicPlan } from "../../../core/plans/public.js";
import { getJson } from "./api.js";
import { paragraph, span } from "./dom.js";

/** Fills `planList` with the plan cards; `onChoose` runs when the person picks a plan. */
export async function loadPlans(planList: HTMLElement, onChoose: () => void): Promise<void> {
  planList.setAttribute("aria-busy", "true");
  planList.replaceChildren(paragraph("Loading plans…", "muted"));
  try {
    const { status, body } = await getJson<{ plans?: PublicPlan[] }>("/plans");
    if (status !== 200 || !Array.isArray(body.plans) || body.plans.length === 0)
      throw new Error(`status ${status}`);
    renderPlans(planList, body.plans, onChoose);
  } catch {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "button secondary small";
    retry.textContent = "Try again";
    retry.addEventListener("click", () => void loadPlans(planList, onChoose));
    planList.replaceChildren(paragraph("We couldn't load the plans.", "error-text"), retry);
  } finally {
    planList.removeAttribute("aria-busy");
  }
}

function renderPlans(planList: HTMLElement, plans: PublicPlan[], onChoose: () => void): void {
  const wanted = new URLSearchParams(location.search).get("plan");
  const preselect =
    plans.find((p) => p.id === wanted)?.id ?? plans.find((p) => p.id === "standard")?.id ?? plans[0]?.id;
  planList.replaceChildren(
    ...plans.map((plan) => {
      const card = document.createElement("div");
      card.className = "plan-card";
      const id = `plan-${plan.id}`;
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "plan";
      radio.value = plan.id;
      radio.id = id;
      radio.checked = plan.id === preselect;
      radio.setAttribute("aria-describedby", `${id}-details`);
      radio.addEventListener("change", onChoose);
      const label = document.createElement("label");
      label.htmlFor = id;
      const name = span("plan-name", plan.displayName);
      const price = span("plan-price", `$${plan.monthlyPriceUsd}`);
      price.append(span("plan-period", " / month"));
      label.append(name, price);
      const details = document.createElement("div");
      details.id = `${id}-details`;
      details.className = "plan-details";
      details.append(paragraph(plan.description, "plan-desc"));
      const list = document.createElement("ul");
      list.className = "plan-features";
      for (const f of plan.features) {
        const li = document.createElement("li");
        li.textContent = f;
        list.append(li);
      }
      details.append(list);
      card.append(radio, label, details);
      return card;
    }),
  );
}
