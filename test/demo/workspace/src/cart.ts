import { formatPrice, plural } from './format';

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}

export interface CartLine {
  product: Product;
  quantity: number;
}

export interface Discount {
  code: string;
  /** Percent off the subtotal, 0-100. */
  percent: number;
  /** Only applies from this subtotal on (cents). */
  minimumCents?: number;
}

export class Cart {
  private readonly lines = new Map<string, CartLine>();

  add(product: Product, quantity = 1): void {
    if (!Number.isInteger(quantity) || quantity <= 0) throw new RangeError(`invalid quantity: ${quantity}`);
    const line = this.lines.get(product.sku);
    if (line) line.quantity += quantity;
    else this.lines.set(product.sku, { product, quantity });
  }

  get items(): CartLine[] {
    return [...this.lines.values()];
  }

  subtotalCents(): number {
    return this.items.reduce((sum, line) => sum + line.product.priceCents * line.quantity, 0);
  }

  summary(): string {
    const count = this.items.reduce((n, line) => n + line.quantity, 0);
    return `${plural(count, 'item')}, ${formatPrice(this.subtotalCents())}`;
  }
}

export function applyDiscount(subtotalCents: number, discount: Discount | undefined): number {
  if (!discount) return subtotalCents;
  if (discount.minimumCents !== undefined && subtotalCents < discount.minimumCents) return subtotalCents;
  const percent = Math.min(100, Math.max(0, discount.percent));
  return Math.round(subtotalCents * (1 - percent / 100));
}
